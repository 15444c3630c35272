namespace Ginx.Proxy.NginxConf;

/// <summary>
/// Every problem found in an nginx configuration, as <c>file:line: message</c>. Reading and
/// translating go on after a problem, so one run reports them all.
/// </summary>
public sealed class NginxConfProblems
{
    private readonly List<string> _messages = [];

    /// <summary>The problems, in the order they were found.</summary>
    public IReadOnlyList<string> Messages => _messages;

    /// <summary>True when nothing is wrong.</summary>
    public bool IsEmpty => _messages.Count == 0;

    /// <summary>Records <paramref name="message"/> against <paramref name="source"/>.</summary>
    public void Add(NginxSource source, string message) => _messages.Add($"{source}: {message}");

    /// <summary>Records a problem of a whole file (one that could not be opened).</summary>
    public void Add(string file, string message) => _messages.Add($"{file}: {message}");
}
