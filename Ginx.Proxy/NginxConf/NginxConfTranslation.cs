namespace Ginx.Proxy.NginxConf;

/// <summary>What an nginx configuration means to Ginx.</summary>
/// <param name="ReverseProxy">YARP's routes and clusters, keys relative to the proxy's section.</param>
/// <param name="Ginx">Ginx's global settings that make it behave as nginx does, full keys (<c>Ginx:…</c>).</param>
/// <param name="Urls">The public listener addresses (<c>urls</c>) from <c>listen</c>; null when no server has one.</param>
/// <param name="AcceptedWithoutEffect">The directives accepted although they change nothing in Ginx, each named once.</param>
public sealed record NginxConfTranslation(
    ConfigurationEntries ReverseProxy,
    ConfigurationEntries Ginx,
    string? Urls,
    IReadOnlyList<string> AcceptedWithoutEffect)
{
    /// <summary>
    /// Every configuration key of the translation, in the order it was translated: the routes and
    /// clusters under <paramref name="reverseProxySection"/>, Ginx's settings, <c>urls</c>. The
    /// configuration provider serves these and <c>--print-config</c> prints them, so the two cannot
    /// disagree on a key.
    /// </summary>
    public IEnumerable<KeyValuePair<string, string>> Keys(string reverseProxySection)
    {
        var keys = ReverseProxy.Under(reverseProxySection).Concat(Ginx.Entries);
        return Urls is { } urls ? keys.Append(new(WebHostDefaults.ServerUrlsKey, urls)) : keys;
    }
}
