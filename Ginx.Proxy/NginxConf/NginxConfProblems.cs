namespace Ginx.Proxy.NginxConf;

/// <summary>
/// Every problem found in an nginx configuration, as <c>file:line: message</c>. Reading and
/// translating go on after a problem, so one run reports them all, listed file by file in line order.
/// </summary>
public sealed class NginxConfProblems
{
    private readonly List<(NginxSource Source, string Message)> _problems = [];

    /// <summary>The problems, by file and line.</summary>
    public IReadOnlyList<string> Messages => _problems
        .OrderBy(problem => problem.Source.File, StringComparer.Ordinal)
        .ThenBy(problem => problem.Source.Line)
        .Select(problem => problem.Source.Line > 0 ? $"{problem.Source}: {problem.Message}" : $"{problem.Source.File}: {problem.Message}")
        .ToList();

    /// <summary>True when nothing is wrong.</summary>
    public bool IsEmpty => _problems.Count == 0;

    /// <summary>Records <paramref name="message"/> against <paramref name="source"/>.</summary>
    public void Add(NginxSource source, string message) => _problems.Add((source, message));

    /// <summary>Records a problem of a whole file.</summary>
    public void Add(string file, string message) => _problems.Add((new NginxSource(file, 0), message));
}
