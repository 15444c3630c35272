namespace Ginx.Proxy.NginxConf;

/// <summary>Where the nginx configuration file is named, and where its translation is put.</summary>
public static class NginxConfSettings
{
    /// <summary>The setting that names the file.</summary>
    public const string PathKey = "Ginx:NginxConf";

    /// <summary>What <c>--nginx-conf path</c> becomes in configuration.</summary>
    public const string CommandLineKey = "nginx-conf";

    /// <summary>
    /// The section the routes and clusters are put in, which <c>Ginx:ReverseProxySection</c> then
    /// names: configuration sources merge, and the example cluster of <c>appsettings.json</c>'s
    /// <c>ReverseProxy</c> section would otherwise join the nginx upstreams.
    /// </summary>
    public const string ReverseProxySection = "NginxConf";

    /// <summary>The nginx configuration file to read, or null when none is named.</summary>
    public static string? PathFrom(IConfiguration configuration) =>
        configuration[CommandLineKey] is { Length: > 0 } fromCommandLine ? fromCommandLine
        : configuration[PathKey] is { Length: > 0 } fromSetting ? fromSetting
        : null;
}
