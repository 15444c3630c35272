namespace Ginx.Tests.NginxConf;

/// <summary>
/// The nginx configurations under <c>Corpus/</c>: each valid one with the JSON Ginx makes of it,
/// each broken one with the exact messages it gets.
/// </summary>
internal static class NginxConfCorpus
{
    public static readonly string Valid = Path.Combine(AppContext.BaseDirectory, "NginxConf", "Corpus", "valid");

    public static readonly string Broken = Path.Combine(AppContext.BaseDirectory, "NginxConf", "Corpus", "broken");

    public static TheoryData<string> ValidFiles() => Files(Valid);

    public static TheoryData<string> BrokenFiles() => Files(Broken);

    // Top-level files only: the folders hold what those files include.
    private static TheoryData<string> Files(string directory) =>
        new(Directory.GetFiles(directory, "*.conf").Select(path => Path.GetFileName(path)!).Order(StringComparer.Ordinal));
}
