using Ginx.Proxy.NginxConf;
using Microsoft.Extensions.Configuration.Json;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registers the nginx configuration file as a configuration source.</summary>
public static class GinxNginxConfHostApplicationBuilderExtensions
{
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
