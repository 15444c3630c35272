namespace Ginx.Proxy.NginxConf;

/// <summary>
/// Reads an nginx configuration file into its directive tree, replacing every <c>include</c> by the
/// directives of the files it names. Relative paths resolve against the main file's directory, as
/// nginx resolves them against its configuration prefix when started with <c>-c</c>; a path with a
/// wildcard includes every matching file, in name order, and none when nothing matches.
/// </summary>
public sealed class NginxConfReader
{
    private const int MaxIncludeDepth = 16;

    private readonly NginxConfProblems _problems;
    private readonly string _directory;
    private readonly string _displayDirectory;
    private readonly List<string> _filesRead = [];
    private readonly List<string> _includePatterns = [];

    private NginxConfReader(string path, NginxConfProblems problems)
    {
        _problems = problems;
        _displayDirectory = Path.GetDirectoryName(path) ?? "";
        _directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? "";
    }

    /// <summary>Every file read (full paths), so a caller can watch them for changes.</summary>
    public IReadOnlyList<string> FilesRead => _filesRead;

    /// <summary>Every wildcard pattern included (full paths): a new file matching one is a change too.</summary>
    public IReadOnlyList<string> IncludePatterns => _includePatterns;

    /// <summary>The directives of <paramref name="path"/>; what is wrong goes to <paramref name="problems"/>.</summary>
    public static (IReadOnlyList<NginxDirective> Directives, NginxConfReader Reader) Read(string path, NginxConfProblems problems)
    {
        var reader = new NginxConfReader(path, problems);
        var directives = reader.ReadFile(Path.GetFullPath(path), path, depth: 0, includedAt: null) ?? [];
        return (directives, reader);
    }

    private List<NginxDirective>? ReadFile(string fullPath, string displayPath, int depth, NginxSource? includedAt)
    {
        string text;
        try
        {
            text = File.ReadAllText(fullPath);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            var why = exception is FileNotFoundException or DirectoryNotFoundException ? "no such file" : exception.Message;
            if (includedAt is { } include)
            {
                _problems.Add(include, $"include \"{displayPath}\" cannot be read: {why}");
            }
            else
            {
                _problems.Add(displayPath, $"cannot be read: {why}");
            }

            return null;
        }

        _filesRead.Add(fullPath);
        if (!NginxTokenizer.TryTokenize(text, displayPath, _problems, out var tokens))
        {
            return null;
        }

        var position = 0;
        var directives = ReadBlock(tokens, ref position, displayPath, depth, opening: null);
        return directives;
    }

    private List<NginxDirective> ReadBlock(List<NginxToken> tokens, ref int position, string file, int depth, NginxToken? opening)
    {
        var directives = new List<NginxDirective>();
        var words = new List<NginxToken>();
        while (position < tokens.Count)
        {
            var token = tokens[position++];
            switch (token.Kind)
            {
                case NginxTokenKind.Word:
                    words.Add(token);
                    break;
                case NginxTokenKind.Semicolon when words.Count > 0:
                    AddSimple(directives, words, file, depth);
                    words.Clear();
                    break;
                case NginxTokenKind.OpenBrace when words.Count > 0:
                    var block = ReadBlock(tokens, ref position, file, depth, token);
                    directives.Add(Directive(words, block, file));
                    words.Clear();
                    break;
                case NginxTokenKind.CloseBrace when words.Count == 0 && opening is not null:
                    return directives;
                default:
                    _problems.Add(new NginxSource(file, token.Line), $"unexpected \"{token.Text}\"");
                    position = tokens.Count;
                    return directives;
            }
        }

        if (words.Count > 0)
        {
            _problems.Add(new NginxSource(file, words[^1].Line), "unexpected end of file, expecting \";\" or \"}\"");
        }
        else if (opening is { } open)
        {
            _problems.Add(new NginxSource(file, open.Line), "the block opened here is never closed: unexpected end of file, expecting \"}\"");
        }

        return directives;
    }

    private void AddSimple(List<NginxDirective> directives, List<NginxToken> words, string file, int depth)
    {
        var directive = Directive(words, block: null, file);
        if (directive.Name != "include")
        {
            directives.Add(directive);
            return;
        }

        if (directive.Arguments.Count != 1)
        {
            _problems.Add(directive.Source, "include takes one file name or pattern");
            return;
        }

        if (depth >= MaxIncludeDepth)
        {
            _problems.Add(directive.Source, $"includes are nested more than {MaxIncludeDepth} deep; does a file include itself?");
            return;
        }

        foreach (var (fullPath, displayPath) in Resolve(directive))
        {
            directives.AddRange(ReadFile(fullPath, displayPath, depth + 1, directive.Source) ?? []);
        }
    }

    private List<(string FullPath, string DisplayPath)> Resolve(NginxDirective include)
    {
        var pattern = include.Arguments[0];
        var rooted = Path.IsPathRooted(pattern);
        var fullPattern = rooted ? pattern : Path.Combine(_directory, pattern);
        var displayPattern = rooted ? pattern : Path.Join(_displayDirectory, pattern);
        if (pattern.IndexOfAny(['*', '?', '[']) < 0)
        {
            return [(fullPattern, displayPattern)];
        }

        var directory = Path.GetDirectoryName(fullPattern) ?? "";
        var name = Path.GetFileName(fullPattern);
        if (directory.IndexOfAny(['*', '?', '[']) >= 0 || name.Contains('['))
        {
            _problems.Add(include.Source, $"include \"{pattern}\": Ginx supports * and ? in the file name only");
            return [];
        }

        _includePatterns.Add(fullPattern);
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var displayDirectory = Path.GetDirectoryName(displayPattern) ?? "";
        return Directory.EnumerateFiles(directory)
            .Select(Path.GetFileName)
            .Where(file => System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(name, file!, ignoreCase: false))
            .Order(StringComparer.Ordinal)
            .Select(file => (Path.Combine(directory, file!), Path.Join(displayDirectory, file)))
            .ToList();
    }

    private static NginxDirective Directive(List<NginxToken> words, IReadOnlyList<NginxDirective>? block, string file) =>
        new(words[0].Text, words.Skip(1).Select(word => word.Text).ToArray(), block, new NginxSource(file, words[0].Line));
}
