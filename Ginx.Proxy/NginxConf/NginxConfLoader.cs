namespace Ginx.Proxy.NginxConf;

/// <summary>The outcome of reading and translating an nginx configuration file.</summary>
/// <param name="Translation">What it means to Ginx; null when it has problems.</param>
/// <param name="Problems">Every problem, as <c>file:line: message</c>.</param>
/// <param name="FilesRead">The files read (full paths), the main one and those it includes.</param>
/// <param name="IncludePatterns">The wildcard includes (full paths), under which a new file is a change.</param>
public sealed record NginxConfLoad(
    NginxConfTranslation? Translation,
    IReadOnlyList<string> Problems,
    IReadOnlyList<string> FilesRead,
    IReadOnlyList<string> IncludePatterns);

/// <summary>Reads an nginx configuration file, its includes, and translates it.</summary>
public static class NginxConfLoader
{
    /// <summary>Loads <paramref name="path"/>, as the user named it: messages name files the same way.</summary>
    public static NginxConfLoad Load(string path)
    {
        var problems = new NginxConfProblems();
        var (directives, reader) = NginxConfReader.Read(path, problems);
        // A file that does not parse would only add confusing follow-on problems.
        var translation = problems.IsEmpty ? NginxConfTranslator.Translate(directives, path, problems) : null;
        return new NginxConfLoad(problems.IsEmpty ? translation : null, problems.Messages, reader.FilesRead, reader.IncludePatterns);
    }
}
