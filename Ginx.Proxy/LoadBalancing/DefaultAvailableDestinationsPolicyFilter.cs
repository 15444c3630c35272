using Yarp.ReverseProxy.Configuration;

namespace Ginx.Proxy.LoadBalancing;

/// <summary>
/// Makes <see cref="GinxAvailableDestinationsPolicies.PrimaryBackupOrPanic"/> the available-destinations
/// policy of every cluster that does not choose one, so <c>Down</c> and <c>Backup</c> work without
/// further configuration. A cluster that names a policy keeps it.
/// </summary>
internal sealed class DefaultAvailableDestinationsPolicyFilter : IProxyConfigFilter
{
    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel)
    {
        if (!string.IsNullOrEmpty(cluster.HealthCheck?.AvailableDestinationsPolicy))
        {
            return ValueTask.FromResult(cluster);
        }

        var healthCheck = (cluster.HealthCheck ?? new HealthCheckConfig()) with
        {
            AvailableDestinationsPolicy = GinxAvailableDestinationsPolicies.PrimaryBackupOrPanic,
        };
        return ValueTask.FromResult(cluster with { HealthCheck = healthCheck });
    }

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel) =>
        ValueTask.FromResult(route);
}
