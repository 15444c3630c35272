using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ginx.Proxy.Configuration;
using Ginx.SampleBackend;
using Ginx.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using static Ginx.Tests.NginxConf.NginxConfProxy;

namespace Ginx.Tests.NginxConf;

/// <summary>Ginx started from an nginx configuration over three in-process replicas behaves as nginx does.</summary>
public sealed class NginxConfEndToEndTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static async Task<string> ServedByAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var replica = Assert.Single(response.Headers.GetValues(ReplicaIdentity.HeaderName));
        await response.Content.LoadIntoBufferAsync(Cancellation);
        return replica;
    }

    private static async Task<List<string>> ServedByAsync(NginxConfProxy ginx, int requests, string path = "/")
    {
        var replicas = new List<string>();
        for (var i = 0; i < requests; i++)
        {
            using var response = await ginx.Proxy.Client.GetAsync(path, Cancellation);
            replicas.Add(await ServedByAsync(response));
        }

        return replicas;
    }

    [Fact]
    public async Task Weights_5_1_1_GiveNginxsSmoothSequence()
    {
        var backends = await InProcessBackend.StartManyAsync(3, Cancellation);
        await using var _ = new AsyncDisposables(backends);
        var (a, b, c) = (backends[0], backends[1], backends[2]);
        await using var ginx = await StartAsync(NginxFile([$"{Address(a)} weight=5", Address(b), $"{Address(c)} weight=1"]), Cancellation);

        var sequence = await ServedByAsync(ginx, 14);

        // nginx's ngx_http_upstream_get_peer for 5/1/1: a a b a c a a, then again. Which of the two
        // servers of equal weight goes first follows YARP's order of destinations, not the file's.
        var (first, second) = (sequence[2], sequence[4]);
        Assert.Equal([b.Name, c.Name], new[] { first, second }.Order());
        string[] once = [a.Name, a.Name, first, a.Name, second, a.Name, a.Name];
        Assert.Equal([.. once, .. once], sequence);
    }

    [Fact]
    public async Task Backup_IsUsedOnlyWhileThePrimariesAreDown()
    {
        var backends = await InProcessBackend.StartManyAsync(3, Cancellation);
        await using var _ = new AsyncDisposables(backends);
        var (a, b, c) = (backends[0], backends[1], backends[2]);
        await using var ginx = await StartAsync(NginxFile([Address(a), Address(b), $"{Address(c)} backup"]), Cancellation);

        Assert.DoesNotContain(c.Name, await ServedByAsync(ginx, 6));

        await a.StopAsync();
        await b.StopAsync();

        Assert.Equal([c.Name, c.Name], await ServedByAsync(ginx, 2));
    }

    [Fact]
    public async Task Down_IsNeverUsed()
    {
        var backends = await InProcessBackend.StartManyAsync(3, Cancellation);
        await using var _ = new AsyncDisposables(backends);
        var (a, b, c) = (backends[0], backends[1], backends[2]);
        await using var ginx = await StartAsync(NginxFile([Address(a), $"{Address(b)} down", Address(c)]), Cancellation);

        var served = await ServedByAsync(ginx, 8);

        Assert.DoesNotContain(b.Name, served);
        Assert.Equal(4, served.Count(name => name == a.Name));
    }

    [Fact]
    public async Task MaxFails_OneFailureEjectsTheServerForFailTimeout()
    {
        var backends = await InProcessBackend.StartManyAsync(3, Cancellation);
        await using var _ = new AsyncDisposables(backends);
        var (a, b, c) = (backends[0], backends[1], backends[2]);
        a.Chaos.Current = new ChaosSettings { ErrorRate = 1, ErrorStatus = 502 };
        await using var ginx = await StartAsync(
            NginxFile(backends.Select(backend => $"{Address(backend)} max_fails=1 fail_timeout=30s"), locationExtra: "proxy_next_upstream error timeout http_502;"),
            Cancellation);

        var served = await ServedByAsync(ginx, 9);

        // Its one 502 was tried again elsewhere; then it was out for the rest.
        Assert.DoesNotContain(a.Name, served);
        Assert.Equal(1, a.Stats.Snapshot(a.Name).InjectedErrors);
    }

    [Fact]
    public async Task HashConsistent_SendsAKeyAlwaysToTheSameServer()
    {
        var backends = await InProcessBackend.StartManyAsync(3, Cancellation);
        await using var _ = new AsyncDisposables(backends);
        await using var ginx = await StartAsync(NginxFile(backends.Select(Address), upstreamExtra: "hash $arg_user consistent;"), Cancellation);

        var byUser = new Dictionary<string, List<string>>();
        foreach (var user in Enumerable.Range(1, 12).Select(i => $"user{i}"))
        {
            byUser[user] = await ServedByAsync(ginx, 4, $"/?user={user}");
        }

        Assert.All(byUser.Values, served => Assert.Single(served.Distinct()));
        Assert.True(byUser.Values.Select(served => served[0]).Distinct().Count() > 1, "twelve keys all on one server");
    }

    [Fact]
    public async Task NextUpstreamWithoutNonIdempotent_APostThatReachedAServerIsNotTriedAgain()
    {
        var backends = await InProcessBackend.StartManyAsync(3, Cancellation);
        await using var _ = new AsyncDisposables(backends);
        foreach (var backend in backends)
        {
            backend.Chaos.Current = new ChaosSettings { AbortRate = 1 };
        }

        await using var ginx = await StartAsync(NginxFile(backends.Select(backend => $"{Address(backend)} max_fails=0")), Cancellation);
        long Aborted() => backends.Sum(backend => backend.Stats.Snapshot(backend.Name).Aborted);

        using var post = await ginx.Proxy.Client.PostAsync("/echo", new StringContent("order #1"), Cancellation);

        Assert.Equal(HttpStatusCode.BadGateway, post.StatusCode);
        Assert.Equal(1, Aborted());

        // A GET in the same state is tried on every server, as nginx's "error" condition asks.
        using var get = await ginx.Proxy.Client.GetAsync("/", Cancellation);

        Assert.Equal(HttpStatusCode.BadGateway, get.StatusCode);
        Assert.Equal(4, Aborted());
    }

    [Fact]
    public async Task ProxySetHeader_AddsXForwardedForOnlyWhereAsked()
    {
        await using var backend = await InProcessBackend.StartAsync("b-1", Cancellation);
        await using var ginx = await StartAsync(NginxFile([Address(backend)]).Replace(
            "server {",
            "server {\n        location /forwarded/ { proxy_pass http://backend/; proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; }",
            StringComparison.Ordinal), Cancellation);

        var plain = await ginx.Proxy.Client.GetFromJsonAsync<ReplicaReply>("/", JsonSerializerOptions.Web, Cancellation);
        var forwarded = await ginx.Proxy.Client.GetFromJsonAsync<ReplicaReply>("/forwarded/", JsonSerializerOptions.Web, Cancellation);

        Assert.Null(plain!.XForwardedFor);
        Assert.Equal("127.0.0.1", forwarded!.XForwardedFor);
        Assert.Equal("/", forwarded.Path);
    }

    [Fact]
    public async Task Reload_BrokenFile_KeepsServingThePreviousConfigurationAndLogsOneError()
    {
        var backends = await InProcessBackend.StartManyAsync(3, Cancellation);
        await using var _ = new AsyncDisposables(backends);
        var (a, b, c) = (backends[0], backends[1], backends[2]);
        await using var ginx = await StartAsync(
            NginxFile([Address(a), Address(b)]), Cancellation, services => services.AddLogging(logging => logging.AddFakeLogging()));
        var logs = ginx.Proxy.Services.GetFakeLogCollector();

        await ginx.RewriteAsync(NginxFile([$"{Address(c)} weight=0"]), Cancellation);
        await Eventually.HoldsAsync(() => logs.GetSnapshot().Any(log => log.Level == LogLevel.Error), TimeSpan.FromSeconds(10), "the rejected reload is logged");

        var error = Assert.Single(logs.GetSnapshot(), log => log.Level == LogLevel.Error);
        Assert.Contains($"{ginx.Path}:6: invalid parameter \"weight=0\"", error.Message, StringComparison.Ordinal);
        Assert.Equal([a.Name, b.Name], (await ServedByAsync(ginx, 2)).Order());

        // A good file afterwards is applied.
        await ginx.RewriteAsync(NginxFile([Address(c)]), Cancellation);
        await Eventually.HoldsAsync(async () => (await ServedByAsync(ginx, 1))[0] == c.Name, TimeSpan.FromSeconds(10), "the corrected file is applied");
    }

    [Fact]
    public async Task Start_BrokenFile_IsRefusedWithEveryProblem()
    {
        var exception = await Assert.ThrowsAsync<ProxyConfigurationException>(() =>
            StartAsync(NginxFile(["127.0.0.1:1 weight=0", "127.0.0.1:2 bogus"], locationExtra: "proxy_next_upstream non_idempotent;"), Cancellation));

        var path = exception.Problems[0].Split(':')[0];
        Assert.Equal(
            [
                $"{path}:4: upstream \"backend\" has no server",
                $"{path}:6: invalid parameter \"weight=0\": weight is a whole number from 1 to 1000 (Ginx's largest)",
                $"{path}:7: invalid parameter \"bogus\"",
                $"{path}:13: \"proxy_next_upstream non_idempotent\": Ginx never sends a non-idempotent request (POST, PATCH, LOCK) again once a server has received it, so \"non_idempotent\" cannot be honoured; leave it out",
            ],
            exception.Problems);
    }
}
