using Ginx.Proxy.NginxConf;

namespace Ginx.Tests.NginxConf;

public sealed class NginxConfCorpusTests
{
    [Theory]
    [MemberData(nameof(NginxConfCorpus.ValidFiles), MemberType = typeof(NginxConfCorpus))]
    public void Load_ValidConfiguration_TranslatesToItsExpectedJson(string file)
    {
        var load = NginxConfLoader.Load(Path.Combine(NginxConfCorpus.Valid, file));

        Assert.Empty(load.Problems);
        var expected = File.ReadAllText(Path.Combine(NginxConfCorpus.Valid, Path.ChangeExtension(file, ".json")));
        Assert.Equal(expected.ReplaceLineEndings("\n"), NginxConfJsonWriter.Write(load.Translation!));
    }

    [Theory]
    [MemberData(nameof(NginxConfCorpus.BrokenFiles), MemberType = typeof(NginxConfCorpus))]
    public void Load_BrokenConfiguration_ReportsEveryProblemWithItsFileAndLine(string file)
    {
        var load = NginxConfLoader.Load(Path.Combine(NginxConfCorpus.Broken, file));

        var expected = File.ReadAllLines(Path.Combine(NginxConfCorpus.Broken, Path.ChangeExtension(file, ".txt")));
        Assert.Null(load.Translation);
        Assert.Equal(expected, load.Problems.Select(problem => problem.Replace(NginxConfCorpus.Broken + Path.DirectorySeparatorChar, "", StringComparison.Ordinal)));
    }

    [Fact]
    public void Corpus_CoversTheIssuesMinimum()
    {
        Assert.True(NginxConfCorpus.ValidFiles().Count >= 20, "at least 20 valid configurations");
        Assert.True(NginxConfCorpus.BrokenFiles().Count >= 10, "at least 10 broken configurations");
    }

    [Fact]
    public void Load_HarmlessDirectives_AreListedOnceAsAcceptedWithoutEffect()
    {
        var load = NginxConfLoader.Load(Path.Combine(NginxConfCorpus.Valid, "25-harmless.conf"));

        Assert.Equal(
            [
                "user", "worker_processes", "worker_rlimit_nofile", "pcre_jit", "error_log", "events", "proxy_buffering",
                "sendfile", "tcp_nopush", "tcp_nodelay", "keepalive_timeout", "types_hash_max_size", "server_tokens",
                "default_type", "types", "log_format", "access_log", "proxy_buffers", "listen reuseport", "listen backlog",
            ],
            load.Translation!.AcceptedWithoutEffect);
    }

    [Fact]
    public void Load_IncludesWithAWildcard_ReadsEveryMatchInNameOrder()
    {
        var load = NginxConfLoader.Load(Path.Combine(NginxConfCorpus.Valid, "23-includes.conf"));

        Assert.Equal(
            ["23-includes.conf", "a-backend.conf", "b-api.conf", "locations.conf"],
            load.FilesRead.Select(Path.GetFileName));
        Assert.Equal([Path.Combine(NginxConfCorpus.Valid, "upstreams", "*.conf")], load.IncludePatterns);
    }
}
