using Ginx.Proxy.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Ginx's metrics, per-destination counters and trace helpers.</summary>
public static class GinxTelemetryServiceCollectionExtensions
{
    /// <summary>Adds <c>ProxyMetrics</c> and the counters the status API reads.</summary>
    public static IServiceCollection AddGinxTelemetry(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ProxyMetrics>();
        services.TryAddSingleton<DestinationCounters>();
        return services;
    }
}
