using Ginx.Proxy.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Health;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Ginx's metrics, per-destination counters, and its availability and probe logs.</summary>
public static class GinxTelemetryServiceCollectionExtensions
{
    /// <summary>
    /// Adds <c>ProxyMetrics</c>, the counters the status API reads, a log line whenever a
    /// destination becomes unavailable or available again, and one when it starts failing its active
    /// health probes, and why. Call after YARP's own registrations: the active health policies
    /// registered by then are the ones whose probes are logged.
    /// </summary>
    public static IReverseProxyBuilder AddGinxTelemetry(this IReverseProxyBuilder builder)
    {
        var services = builder.Services;
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ProxyMetrics>();
        services.TryAddSingleton<DestinationCounters>();

        var updater = services.LastOrDefault(service => service.ServiceType == typeof(IClusterDestinationsUpdater))
            ?? throw new InvalidOperationException("AddGinxTelemetry must be called after AddReverseProxy.");
        services.Replace(ServiceDescriptor.Singleton<IClusterDestinationsUpdater>(provider => new DestinationAvailabilityLog(
            (IClusterDestinationsUpdater)Create(provider, updater),
            provider.GetRequiredService<DestinationCounters>(),
            provider.GetRequiredService<ILogger<DestinationAvailabilityLog>>())));

        for (var i = 0; i < services.Count; i++)
        {
            var policy = services[i];
            if (policy.ServiceType == typeof(IActiveHealthCheckPolicy) && !policy.IsKeyedService)
            {
                services[i] = ServiceDescriptor.Describe(typeof(IActiveHealthCheckPolicy), provider => new ActiveHealthProbeLog(
                    (IActiveHealthCheckPolicy)Create(provider, policy),
                    provider.GetRequiredService<DestinationCounters>(),
                    provider.GetRequiredService<IOptions<ActiveHealthCheckMonitorOptions>>(),
                    provider.GetRequiredService<ILogger<ActiveHealthProbeLog>>()), policy.Lifetime);
            }
        }

        return builder;
    }

    private static object Create(IServiceProvider provider, ServiceDescriptor descriptor) =>
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(provider)
        ?? ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!);
}
