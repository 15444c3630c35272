namespace Ginx.Proxy.Configuration;

/// <summary>
/// Where the proxy reads YARP's routes and clusters from. It is <c>ReverseProxy</c>, as in every YARP
/// application, unless <c>Ginx:ReverseProxySection</c> names another section: the AppHost uses that to
/// hand the proxy a topology of its own, because configuration sources merge and the example cluster
/// in <c>appsettings.json</c> would otherwise join the replicas.
/// </summary>
public static class ProxyConfigurationSection
{
    /// <summary>The section YARP applications conventionally use.</summary>
    public const string Default = "ReverseProxy";

    /// <summary>The key that names a different section.</summary>
    public const string OverrideKey = "Ginx:ReverseProxySection";

    /// <summary>The section routes and clusters are read from.</summary>
    public static IConfigurationSection Resolve(IConfiguration configuration) => configuration.GetSection(Name(configuration));

    /// <summary>The name of the section routes and clusters are read from.</summary>
    public static string Name(IConfiguration configuration) =>
        configuration[OverrideKey] is { } name && !string.IsNullOrWhiteSpace(name) ? name : Default;
}
