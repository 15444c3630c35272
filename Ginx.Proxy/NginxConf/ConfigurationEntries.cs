namespace Ginx.Proxy.NginxConf;

/// <summary>
/// Configuration keys and values in the order they were written, so the printed JSON reads like the
/// nginx file it came from (routes in file order, a destination's address before its metadata).
/// </summary>
public sealed class ConfigurationEntries
{
    private readonly List<KeyValuePair<string, string>> _entries = [];

    /// <summary>The entries, keys separated by <c>:</c> as .NET configuration writes them.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Entries => _entries;

    /// <summary>Adds <paramref name="value"/> under the key made of <paramref name="path"/>.</summary>
    public void Add(string value, params string[] path) => _entries.Add(new(string.Join(':', path), value));

    /// <summary>The entries with <paramref name="prefix"/> put in front of every key.</summary>
    public IEnumerable<KeyValuePair<string, string>> Under(string prefix) =>
        _entries.Select(entry => new KeyValuePair<string, string>(prefix + ":" + entry.Key, entry.Value));
}
