using System.Text;
using Ginx.Proxy.Configuration;
using Ginx.Proxy.NginxConf;
using Microsoft.Extensions.Configuration;

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
    [MemberData(nameof(NginxConfCorpus.ValidFiles), MemberType = typeof(NginxConfCorpus))]
    public void Load_ValidConfiguration_ServesTheKeysPrintConfigPrints(string file)
    {
        var path = Path.Combine(NginxConfCorpus.Valid, file);
        using var served = (ConfigurationRoot)new ConfigurationBuilder().Add(new NginxConfConfigurationSource(path, new NginxConfStatus(path))).Build();
        var printed = new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(NginxConfJsonWriter.Write(NginxConfLoader.Load(path).Translation!))))
            .Build();

        Assert.Equal(NginxConfSettings.ReverseProxySection, served[ProxyConfigurationSection.OverrideKey]);
        Assert.Equal(Values(printed, ProxyConfigurationSection.Default), Values(served, NginxConfSettings.ReverseProxySection));
    }

    // Every value, the proxy's section renamed to one name and the key that names it left out.
    private static SortedDictionary<string, string> Values(IConfiguration configuration, string proxySection) =>
        new(configuration.AsEnumerable()
            .Where(entry => entry.Value is not null && entry.Key != ProxyConfigurationSection.OverrideKey)
            .ToDictionary(
                entry => entry.Key.StartsWith(proxySection + ":", StringComparison.Ordinal) ? "proxy" + entry.Key[proxySection.Length..] : entry.Key,
                entry => entry.Value!),
            StringComparer.Ordinal);

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
