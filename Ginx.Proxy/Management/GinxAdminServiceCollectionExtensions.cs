using Ginx.Proxy.Admin;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Ginx's admin listener and the status API it serves.</summary>
public static class GinxAdminServiceCollectionExtensions
{
    /// <summary>
    /// Binds the admin listener (<c>Ginx:Admin:Urls</c>) next to the public one. Ginx binds both
    /// itself, from the same settings the host would have used (<c>--urls</c>,
    /// <c>ASPNETCORE_URLS</c>, <c>ASPNETCORE_HTTP_PORTS</c>), which it then clears so the host does
    /// not bind them a second time.
    /// </summary>
    public static IHostApplicationBuilder AddGinxAdmin(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<GinxAdminOptions>().BindConfiguration(GinxAdminOptions.SectionName);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GinxAdminOptions>, GinxAdminOptionsValidator>());

        // Generated at build time: the native build cannot serialize by reflection.
        builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, AdminJsonContext.Default));

        var configuration = builder.Configuration;
        var kestrelBindsPublic = configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();
        var publicAddresses = new List<BindingAddress>();
        if (!kestrelBindsPublic)
        {
            foreach (var url in ListenerAddresses.Public(configuration))
            {
                publicAddresses.Add(BindingAddress.Parse(url));
            }

            // Not empty: the host would fall back to the URLs it read at its own start. A lone
            // separator lists no URL, and stops it looking at the ports settings.
            configuration[WebHostDefaults.ServerUrlsKey] = ";";
            configuration[WebHostDefaults.HttpPortsKey] = "";
            configuration[WebHostDefaults.HttpsPortsKey] = "";
        }

        builder.Services.AddSingleton(new PublicListenerUrls(publicAddresses));
        builder.Services.AddSingleton<AdminListener>();
        builder.Services.AddSingleton<IConfigureOptions<KestrelServerOptions>>(services => services.GetRequiredService<AdminListener>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, AdminEndpointMatcherPolicy>());
        return builder;
    }
}
