using Ginx.Proxy.Admin;
using Ginx.Proxy.Configuration;
using Ginx.Proxy.Memory;
using Ginx.Proxy.NginxConf;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Ginx on a host: the proxy with YARP as its forwarder, and the admin listener.</summary>
public static class GinxHostApplicationBuilderExtensions
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
        builder.AddGinxIdleCompaction();

        return builder.Services.AddReverseProxy()
            .LoadFromConfig(ProxyConfigurationSection.Resolve(builder.Configuration))
            .AddServiceDiscoveryDestinationResolver()
            .AddGinxFailureHandling()
            .AddGinxLoadBalancing()
            .AddGinxNginxEquivalents()
            .AddGinxTelemetry();
    }

    /// <summary>
    /// Binds the admin listener (<c>Ginx:Admin:Urls</c>) next to the public one. Ginx binds both
    /// itself, from the same settings the host would have used (<c>--urls</c>,
    /// <c>ASPNETCORE_URLS</c>, <c>ASPNETCORE_HTTP_PORTS</c>), which it then clears so the host does
    /// not bind them a second time; Kestrel binds <c>Kestrel:Endpoints</c> beside them, as public
    /// listeners (an HTTP/2-only one for gRPC, say).
    /// </summary>
    public static IHostApplicationBuilder AddGinxAdmin(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddOptions<GinxAdminOptions>().BindConfiguration(GinxAdminOptions.SectionName);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GinxAdminOptions>, GinxAdminOptionsValidator>());

        // Generated at build time: the native build cannot serialize by reflection.
        builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, AdminJsonContext.Default));

        var configuration = builder.Configuration;
        var publicAddresses = ListenerAddresses.Public(configuration);

        // Not empty: the host would fall back to the URLs it read at its own start. A lone
        // separator lists no URL, and stops it looking at the ports settings.
        configuration[WebHostDefaults.ServerUrlsKey] = ";";
        configuration[WebHostDefaults.HttpPortsKey] = "";
        configuration[WebHostDefaults.HttpsPortsKey] = "";

        builder.Services.AddSingleton(new PublicListenerUrls(publicAddresses));
        builder.Services.AddSingleton<AdminListener>();
        builder.Services.AddSingleton<IConfigureOptions<KestrelServerOptions>>(services => services.GetRequiredService<AdminListener>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, AdminEndpointMatcherPolicy>());
        return builder;
    }

    /// <summary>
    /// Compacts the managed heap once the proxy goes quiet after it grew (<c>Ginx:IdleCompaction</c>),
    /// so that memory a burst of connections left behind is given back while the proxy idles.
    /// </summary>
    public static IHostApplicationBuilder AddGinxIdleCompaction(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<IManagedHeap, ManagedHeap>();
        builder.Services.AddOptions<IdleCompactionOptions>().BindConfiguration(IdleCompactionOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IdleCompactionOptions>, IdleCompactionOptionsValidator>());
        builder.Services.AddHostedService<IdleCompaction>();
        return builder;
    }

    /// <summary>
    /// Reads the JSON files (<c>appsettings.json</c>, <c>appsettings.{Environment}.json</c>, any added
    /// before) so that a reload finding one missing, empty, not JSON or without the routes it had
    /// keeps the last good configuration, logged once as an error, rather than dropping every key.
    /// </summary>
    public static IHostApplicationBuilder AddGinxLastGoodJsonFiles(this IHostApplicationBuilder builder)
    {
        var status = new ConfigurationFileStatus();
        var configuration = builder.Configuration;
        var sources = configuration.Sources;
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i] is JsonConfigurationSource source and not LastGoodJsonConfigurationSource)
            {
                sources[i] = new LastGoodJsonConfigurationSource(source, status, () => ProxyConfigurationSection.Name(configuration));
            }
        }

        builder.Services.AddSingleton(status);
        builder.Services.AddHostedService<ConfigurationFileLog>();
        return builder;
    }

    /// <summary>
    /// When <c>--nginx-conf path</c> or <c>Ginx:NginxConf</c> names a file, adds its translation to
    /// the configuration, right after the JSON files: it overrides <c>appsettings.json</c>, while
    /// environment variables and the command line still override it. Call it before the proxy reads
    /// its section.
    /// </summary>
    public static IHostApplicationBuilder AddGinxNginxConf(this IHostApplicationBuilder builder)
    {
        if (NginxConfSettings.PathFrom(builder.Configuration) is not { } path)
        {
            return builder;
        }

        var status = new NginxConfStatus(path);
        var sources = builder.Configuration.Sources;
        var lastJson = sources.Select((source, index) => (source, index)).LastOrDefault(pair => pair.source is JsonConfigurationSource, (null!, -1)).index;
        sources.Insert(lastJson + 1, new NginxConfConfigurationSource(path, status));

        builder.Services.AddSingleton(status);
        builder.Services.AddHostedService<NginxConfLog>();
        return builder;
    }
}
