using Ginx.Proxy.Utilities;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;

namespace Ginx.Proxy.Configuration;

/// <summary>
/// Says, once per applied configuration, what the proxy balances: every cluster with its policy
/// and destinations, and every route. A rejected reload is reported as such, with the reasons, so an
/// operator knows the previous configuration is still the one serving.
/// </summary>
internal sealed partial class ProxyConfigurationLog(
    IServiceProvider services,
    IConfiguration configuration,
    ILogger<ProxyConfigurationLog> logger) : IConfigChangeListener
{
    // Resolved lazily: the state lookup is the config manager, which depends on this listener.
    private IProxyStateLookup State => services.GetRequiredService<IProxyStateLookup>();

    public void ConfigurationApplied(IReadOnlyList<IProxyConfig> proxyConfigs)
    {
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        foreach (var cluster in State.GetClusters())
        {
            var config = cluster.Model.Config;
            var policy = ClusterPolicies.EffectiveName(config);
            var destinations = string.Join(", ", cluster.Destinations.Values
                .OrderBy(destination => destination.DestinationId, StringComparer.Ordinal)
                .Select(destination => $"{destination.DestinationId} = {destination.Model.Config.Address}"));
            LogCluster(logger, config.ClusterId, policy, cluster.Destinations.Count, destinations);
        }

        foreach (var route in State.GetRoutes())
        {
            var match = route.Config.Match;
            var hosts = match.Hosts is { Count: > 0 } ? string.Join(",", match.Hosts) : "*";
            LogRoute(logger, route.Config.RouteId, hosts, match.Path ?? "/{**catch-all}", route.Config.ClusterId ?? "(none)");
        }
    }

    public void ConfigurationApplyingFailed(IReadOnlyList<IProxyConfig> proxyConfigs, Exception exception) => LogRejected(exception);

    public void ConfigurationLoadingFailed(IProxyConfigProvider configProvider, Exception exception) => LogRejected(exception);

    private void LogRejected(Exception exception) => LogReloadRejected(
        logger, ProxyConfigurationException.FromYarp(exception, ProxyConfigurationSection.Resolve(configuration)).Message);

    public void ConfigurationLoaded(IReadOnlyList<IProxyConfig> proxyConfigs)
    {
    }

    [LoggerMessage(EventId = EventIds.ClusterConfigured, Level = LogLevel.Information,
        Message = "Cluster '{ClusterId}' balances {DestinationCount} destinations with {Policy}: {Destinations}")]
    private static partial void LogCluster(ILogger logger, string clusterId, string policy, int destinationCount, string destinations);

    [LoggerMessage(EventId = EventIds.RouteConfigured, Level = LogLevel.Information,
        Message = "Route '{RouteId}' sends host {Hosts}, path {Path} to cluster '{ClusterId}'")]
    private static partial void LogRoute(ILogger logger, string routeId, string hosts, string path, string clusterId);

    [LoggerMessage(EventId = EventIds.ReloadRejected, Level = LogLevel.Error,
        Message = "Configuration reload rejected; the previous configuration keeps serving. {Reason}")]
    private static partial void LogReloadRejected(ILogger logger, string reason);

    [LoggerMessage(EventId = EventIds.StartupRejected, Level = LogLevel.Critical, Message = "Ginx cannot start. {Reason}")]
    internal static partial void LogStartupRejected(ILogger logger, string reason);
}
