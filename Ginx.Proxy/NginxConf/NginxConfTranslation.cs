namespace Ginx.Proxy.NginxConf;

/// <summary>What an nginx configuration means to Ginx.</summary>
/// <param name="ReverseProxy">YARP's routes and clusters, keys relative to the <c>ReverseProxy</c> section.</param>
/// <param name="Ginx">Ginx's global settings that make it behave as nginx does, keys relative to <c>Ginx</c>.</param>
/// <param name="Urls">The public listener addresses (<c>urls</c>) from <c>listen</c>; null when no server has one.</param>
/// <param name="AcceptedWithoutEffect">The directives accepted although they change nothing in Ginx, each named once.</param>
public sealed record NginxConfTranslation(
    ConfigurationEntries ReverseProxy,
    ConfigurationEntries Ginx,
    string? Urls,
    IReadOnlyList<string> AcceptedWithoutEffect);
