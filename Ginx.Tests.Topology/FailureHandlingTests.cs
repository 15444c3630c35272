using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Ginx.AppHost;
using Ginx.SampleBackend;
using Ginx.Tests.Support;

namespace Ginx.Tests.Topology;

/// <summary>Issue #4's promise, end to end: a dead, slow or failing replica costs the client nothing.</summary>
[Collection(TopologyCollection.Name)]
public sealed class FailureHandlingTests(GinxTopologyFixture topology)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SteadyLoad_ReplicaStoppedAndStarted_NoRequestFailsAndItServesAgain()
    {
        var load = new LoadRunner();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        var running = load.RunAsync(topology.Proxy, clients: 20, "/", stop.Token);
        try
        {
            await Eventually.HoldsAsync(() => load.Requests > 500, Patience, "load is flowing");
            await topology.StopReplicaAsync("backend-2", Cancellation);
            await Eventually.HoldsAsync(async () =>
                    (await topology.DestinationStatusAsync("backend", Cancellation))["backend-2"].GetProperty("health").GetString() == "unhealthy",
                TimeSpan.FromSeconds(5), "the proxy reports backend-2 unavailable within 5 s of its stop");
            var servedBeforeRestart = load.Requests;
            await Eventually.HoldsAsync(() => load.Requests > servedBeforeRestart + 2_000, Patience, "load flows on without backend-2");

            var backend2Before = load.ServedBy.GetValueOrDefault("backend-2");
            await topology.StartReplicaAsync("backend-2", Cancellation);
            await Eventually.HoldsAsync(() => load.ServedBy.GetValueOrDefault("backend-2") > backend2Before,
                TimeSpan.FromSeconds(15), "backend-2 serves again within 15 s of being healthy");
        }
        finally
        {
            await stop.CancelAsync();
            await running;
            await topology.EnsureAllReplicasServeAsync(Cancellation);
        }

        Assert.Empty(load.Failures);
    }

    [Fact]
    public async Task ReplicaFailingHalf_ClientErrorRateAtMostOnePercent_AndItsShareReturnsAfterHeal()
    {
        const int requests = 1_000;
        var failures = 0;
        await topology.ExecuteCommandAsync("backend-3", ChaosCommands.FailHalf, Cancellation);
        try
        {
            for (var i = 0; i < requests; i++)
            {
                using var response = await topology.Proxy.GetAsync("/", Cancellation);
                failures += response.IsSuccessStatusCode ? 0 : 1;
            }
        }
        finally
        {
            await topology.ExecuteCommandAsync("backend-3", ChaosCommands.Heal, Cancellation);
        }

        Assert.InRange(failures, 0, requests / 100);
        await topology.EnsureAllReplicasServeAsync(Cancellation);
    }

    [Fact]
    public async Task EveryReplicaStopped_Gets503ProblemWithinOneSecond_AndServiceResumesWithOneBack()
    {
        try
        {
            foreach (var replica in topology.Replicas)
            {
                await topology.StopReplicaAsync(replica, Cancellation);
            }

            // The client gives up after one second: the answer must come sooner.
            using var impatient = new HttpClient { BaseAddress = topology.ProxyAddress, Timeout = TimeSpan.FromSeconds(1) };
            using var response = await impatient.GetAsync("/", Cancellation);
            var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.ServiceUnavailable);
            Assert.Equal("backend", problem.GetProperty("cluster").GetString());
            Assert.NotNull(response.Headers.RetryAfter);

            await topology.StartReplicaAsync("backend-1", Cancellation);
            await Eventually.HoldsAsync(async () =>
            {
                using var resumed = await topology.Proxy.GetAsync("/", Cancellation);
                return resumed.IsSuccessStatusCode;
            }, TimeSpan.FromSeconds(15), "service resumes once backend-1 is back");
        }
        finally
        {
            await topology.EnsureAllReplicasServeAsync(Cancellation);
        }
    }

    [Fact]
    public async Task Echo_ReplicaDiesMidTransfer_ClientGetsExactBodyOrAnError()
    {
        var body = RandomNumberGenerator.GetBytes(1024 * 1024);
        var firstHalfSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var replicaDead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var content = new GatedContent(body, firstHalfSent, replicaDead.Task);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/echo") { Content = content };
        string? victim = null;
        try
        {
            HttpResponseMessage response;
            try
            {
                var sending = topology.Proxy.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Cancellation);
                await firstHalfSent.Task.WaitAsync(Patience, Cancellation);
                var headersOrDone = await Task.WhenAny(sending, Task.Delay(TimeSpan.FromSeconds(5), Cancellation));
                victim = headersOrDone == sending && (await sending).Headers.TryGetValues(ReplicaIdentity.HeaderName, out var names)
                    ? names.Single()
                    : await BusiestReplicaAsync();
                await topology.KillReplicaAsync(victim, Cancellation);
                replicaDead.SetResult();
                response = await sending;
            }
            catch (HttpRequestException)
            {
                return; // A clean error: the client knows the request failed.
            }

            using (response)
            {
                byte[] echoed;
                try
                {
                    echoed = await response.Content.ReadAsByteArrayAsync(Cancellation);
                }
                catch (HttpRequestException)
                {
                    return; // The proxy aborted the response it could not complete.
                }

                if (response.IsSuccessStatusCode)
                {
                    Assert.Equal(SHA256.HashData(body), SHA256.HashData(echoed));
                }
            }
        }
        finally
        {
            replicaDead.TrySetResult();
            await topology.EnsureAllReplicasServeAsync(Cancellation);
        }
    }

    [Fact]
    public async Task PostAnswered503_IsNotReplayed_WhileGetIs()
    {
        await topology.SetChaosOnAllAsync(new ChaosSettings { ErrorRate = 1, ErrorStatus = 503 }, Cancellation);
        try
        {
            await topology.ResetStatsAsync(Cancellation);
            using (var post = await SendToAsync(GinxTopologyFixture.NoEjectionHost, HttpMethod.Post, "/echo", "charge the card"))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, post.StatusCode);
            }

            Assert.Equal(1, await topology.TotalServedAsync(Cancellation));

            await topology.ResetStatsAsync(Cancellation);
            using (var get = await SendToAsync(GinxTopologyFixture.NoEjectionHost, HttpMethod.Get, "/"))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, get.StatusCode);
            }

            Assert.Equal(3, await topology.TotalServedAsync(Cancellation));
        }
        finally
        {
            await topology.EnsureAllReplicasServeAsync(Cancellation);
        }
    }

    [Fact]
    public async Task EveryReplicaFailing_RetriesStayWithinTheBudget()
    {
        const int requests = 200;
        await topology.SetChaosOnAllAsync(new ChaosSettings { ErrorRate = 1, ErrorStatus = 503 }, Cancellation);
        try
        {
            await topology.ResetStatsAsync(Cancellation);
            for (var i = 0; i < requests; i++)
            {
                using var response = await SendToAsync(GinxTopologyFixture.BudgetHost, HttpMethod.Get, "/");
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            }

            // Default budget: 20 % of requests over 10 s, at least 10.
            var retries = await topology.TotalServedAsync(Cancellation) - requests;
            Assert.InRange(retries, 1, requests * 20 / 100);
        }
        finally
        {
            await topology.EnsureAllReplicasServeAsync(Cancellation);
        }
    }

    private async Task<HttpResponseMessage> SendToAsync(string host, HttpMethod method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : new StringContent(body) };
        request.Headers.Host = host;
        return await topology.Proxy.SendAsync(request, Cancellation);
    }

    private async Task<string> BusiestReplicaAsync()
    {
        var busiest = topology.Replicas[0];
        var most = -1L;
        foreach (var replica in topology.Replicas)
        {
            var inFlight = (await topology.StatsAsync(replica, Cancellation)).InFlight;
            if (inFlight > most)
            {
                (busiest, most) = (replica, inFlight);
            }
        }

        return busiest;
    }
}
