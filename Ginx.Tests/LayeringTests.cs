using System.Text.RegularExpressions;

namespace Ginx.Tests;

/// <summary>
/// Keeps Ginx.Proxy's folders depending one way: the shared core (Upstream) on no feature, features
/// on the core and not on each other, registration and the pipeline order in Management alone.
/// Reads every source file's references to <c>Ginx.Proxy.*</c> namespaces, which are its folders.
/// </summary>
public sealed partial class LayeringTests
{
    private const string Root = "";

    private static readonly string[] Core = ["Upstream", "Configuration", "Utilities"];

    private static readonly string[] Feature = [.. Core, "Telemetry"];

    /// <summary>What each folder may use besides itself; <see cref="Root"/> is the files at the project's root.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Utilities"] = [],
        ["Configuration"] = ["Utilities"],
        ["Upstream"] = ["Utilities", "Configuration"],
        ["Telemetry"] = Core,
        ["LoadBalancing"] = Feature,
        ["Retries"] = Feature,
        ["Errors"] = Feature,
        ["Admin"] = Feature,
        ["Memory"] = Core,
        // nginx's max_fails counts what proxy_next_upstream calls a failure: Health reads the retry conditions.
        ["Health"] = [.. Feature, "Retries"],
        ["Management"] = ["*"],
        // Beside Management at the top: it writes the features' configuration keys, so it reads their names and parsers.
        ["NginxConf"] = [.. Core, "LoadBalancing", "Retries", "Health"],
        [Root] = ["Management", "Configuration", "NginxConf"],
    };

    [Fact]
    public void EveryFolder_UsesOnlyTheFoldersItMay()
    {
        var project = Path.Combine(SolutionDirectory(), "Ginx.Proxy");
        var forbidden = new List<string>();
        foreach (var file in SourceFiles(project))
        {
            var relative = Path.GetRelativePath(project, file).Replace('\\', '/');
            var folder = relative.Contains('/', StringComparison.Ordinal) ? relative[..relative.IndexOf('/', StringComparison.Ordinal)] : Root;
            if (!Allowed.TryGetValue(folder, out var allowed))
            {
                forbidden.Add($"{relative}: folder '{folder}' has no place in the layering; add it to {nameof(Allowed)}");
                continue;
            }

            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].TrimStart().StartsWith("namespace ", StringComparison.Ordinal))
                {
                    continue;
                }

                foreach (Match reference in GinxProxyNamespace().Matches(lines[i]))
                {
                    var target = reference.Groups[1].Value;
                    if (target != folder && !allowed.Contains(target) && !allowed.Contains("*"))
                    {
                        forbidden.Add($"{relative}:{i + 1}: {Name(folder)} -> {target} is not allowed ({Name(folder)} may use {Describe(allowed)})");
                    }
                }
            }
        }

        Assert.True(forbidden.Count == 0, string.Join(Environment.NewLine, forbidden));
    }

    private static string Name(string folder) => folder == Root ? "(root)" : folder;

    private static string Describe(string[] allowed) => allowed.Length == 0 ? "nothing of Ginx.Proxy" : string.Join(", ", allowed);

    private static IEnumerable<string> SourceFiles(string project) =>
        Directory.EnumerateFiles(project, "*.cs", SearchOption.AllDirectories)
            .Where(file => !IsBuildOutput(Path.GetRelativePath(project, file)));

    private static bool IsBuildOutput(string relative) =>
        relative.StartsWith("bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
        || relative.StartsWith("obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static string SolutionDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Ginx.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Ginx.sln above {AppContext.BaseDirectory}.");
    }

    // A using (plain, static or alias) or a fully qualified name: Ginx.Proxy.X; or Ginx.Proxy.X.Type.
    [GeneratedRegex(@"\bGinx\.Proxy\.([A-Z]\w*)\b(?=\s*[;.])")]
    private static partial Regex GinxProxyNamespace();
}
