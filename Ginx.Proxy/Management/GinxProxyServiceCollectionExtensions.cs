using Ginx.Proxy.Configuration;
using Yarp.ReverseProxy.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Ginx: YARP as the forwarder, plus Ginx's balancing, health and telemetry.</summary>
public static class GinxProxyServiceCollectionExtensions
{
    /// <summary>
    /// Adds the reverse proxy, configured from the <c>ReverseProxy</c> section (or the one
    /// <c>Ginx:ReverseProxySection</c> names) and reloaded when it changes. Destination addresses
    /// resolve through service discovery, so <c>http://backend-1</c> works under Aspire and a plain
    /// address works anywhere.
    /// </summary>
    public static IReverseProxyBuilder AddGinxProxy(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton<IConfigChangeListener, ProxyConfigurationLog>();
        builder.AddGinxAdmin();

        return builder.Services.AddReverseProxy()
            .LoadFromConfig(ProxyConfigurationSection.Resolve(builder.Configuration))
            .AddServiceDiscoveryDestinationResolver()
            .AddGinxFailureHandling()
            .AddGinxLoadBalancing()
            .AddGinxTelemetry();
    }
}
