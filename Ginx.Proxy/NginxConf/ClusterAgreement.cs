namespace Ginx.Proxy.NginxConf;

/// <summary>
/// The settings nginx writes per location but YARP and Ginx apply per cluster (scheme, retries,
/// timeouts, HTTP version): the first location that proxies to an upstream sets them, and every
/// other location using it must agree, or the difference is refused: Ginx cannot give two
/// locations different meanings of one upstream.
/// </summary>
internal sealed class ClusterAgreement(string clusterId)
{
    private readonly Dictionary<string, (string Value, NginxSource Source, bool IsDefault)> _agreed = [];

    /// <summary>The value agreed for <paramref name="setting"/>, or <paramref name="fallback"/> when no location uses the cluster.</summary>
    public string Get(string setting, string fallback) => _agreed.TryGetValue(setting, out var agreed) ? agreed.Value : fallback;

    /// <summary>Adds what <paramref name="location"/> says of every per-cluster setting.</summary>
    public void Add(LocationBlock location, NginxConfProblems problems)
    {
        var settings = location.Settings;
        var pass = location.Pass.Source;
        Agree("the scheme", location.Pass.Scheme, new Setting<string>(location.Pass.Scheme, pass), problems);
        Agree("proxy_next_upstream", settings.RetryOn.Value, settings.RetryOn, pass, problems);
        Agree("proxy_next_upstream_tries", settings.Tries.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), settings.Tries, pass, problems);
        Agree("proxy_connect_timeout", NginxUnits.Describe(settings.ConnectTimeout.Value), settings.ConnectTimeout, pass, problems);
        Agree("proxy_read_timeout", NginxUnits.Describe(settings.ReadTimeout.Value), settings.ReadTimeout, pass, problems);
        Agree("proxy_http_version", settings.HttpVersion.Value, settings.HttpVersion, pass, problems);
    }

    private void Agree<T>(string setting, string value, Setting<T> from, NginxConfProblems problems) =>
        Agree(setting, value, from, from.Source!.Value, problems);

    private void Agree<T>(string setting, string value, Setting<T> from, NginxSource usedAt, NginxConfProblems problems)
    {
        var source = from.Source ?? usedAt;
        var isDefault = from.Source is null;
        if (!_agreed.TryGetValue(setting, out var first))
        {
            _agreed[setting] = (value, source, isDefault);
            return;
        }

        if (first.Value != value)
        {
            problems.Add(source, $"{setting} {value}{(isDefault ? " (nginx's default)" : "")} for upstream \"{clusterId}\" differs from {first.Value}{(first.IsDefault ? " (nginx's default)" : "")} at {first.Source}; Ginx applies it to the whole upstream, so every location that proxies to \"{clusterId}\" must agree");
        }
    }
}
