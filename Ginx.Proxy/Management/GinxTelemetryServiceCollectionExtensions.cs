using Ginx.Proxy.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Yarp.ReverseProxy.Health;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Ginx's metrics, per-destination counters and availability log.</summary>
public static class GinxTelemetryServiceCollectionExtensions
{
    /// <summary>
    /// Adds <c>ProxyMetrics</c>, the counters the status API reads, and a log line whenever a
    /// destination becomes unavailable or available again. Call after YARP's own registrations.
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
        return builder;
    }

    private static object Create(IServiceProvider provider, ServiceDescriptor descriptor) =>
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(provider)
        ?? ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!);
}
