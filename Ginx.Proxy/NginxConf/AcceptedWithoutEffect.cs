namespace Ginx.Proxy.NginxConf;

/// <summary>
/// The directives read and accepted although they change nothing in Ginx (logging, worker tuning,
/// connection tuning Ginx does its own way), each named once, in the order first met.
/// </summary>
public sealed class AcceptedWithoutEffect
{
    private readonly List<string> _names = [];

    /// <summary>The names, in the order first met.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>Notes that <paramref name="name"/> was accepted.</summary>
    public void Add(string name)
    {
        if (!_names.Contains(name))
        {
            _names.Add(name);
        }
    }
}
