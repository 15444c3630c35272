using System.Diagnostics.CodeAnalysis;
using Ginx.Proxy.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;
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

        if (Decorate<IClusterDestinationsUpdater, DestinationAvailabilityLog>(services) == 0)
        {
            throw new InvalidOperationException("AddGinxTelemetry must be called after AddReverseProxy.");
        }

        Decorate<IActiveHealthCheckPolicy, ActiveHealthProbeLog>(services);

        return builder;
    }

    /// <summary>
    /// Wraps every registration of <typeparamref name="TService"/> in a <typeparamref name="TDecorator"/>,
    /// which takes the registered one as its inner service and the rest from the container, keeping
    /// each registration's place and lifetime. Returns how many it wrapped.
    /// </summary>
    private static int Decorate<TService, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TDecorator>(IServiceCollection services)
        where TService : class
        where TDecorator : TService
    {
        var decorated = 0;
        for (var i = 0; i < services.Count; i++)
        {
            var registration = services[i];
            if (registration.ServiceType == typeof(TService) && !registration.IsKeyedService)
            {
                services[i] = ServiceDescriptor.Describe(typeof(TService),
                    provider => ActivatorUtilities.CreateInstance<TDecorator>(provider, Create(provider, registration)),
                    registration.Lifetime);
                decorated++;
            }
        }

        return decorated;
    }

    private static object Create(IServiceProvider provider, ServiceDescriptor descriptor) =>
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(provider)
        ?? ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!);
}
