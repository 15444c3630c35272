using System.Net;
using System.Text.Json.Nodes;
using Ginx.Proxy.Configuration;
using Ginx.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Yarp.ReverseProxy;
using static Ginx.Tests.LoadBalancing.BalancedProxyConfiguration;

namespace Ginx.Tests.LoadBalancing;

/// <summary>Ginx's balancing in the real proxy, over real (in-process) backends.</summary>
public sealed class GinxLoadBalancingMiddlewareTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MaxConns_FiftyConcurrentSlowRequests_NoReplicaExceedsItsLimit()
    {
        const int maxConns = 4;
        var backends = await InProcessBackend.StartManyAsync(3, Cancellation);
        await using var stopBackends = new AsyncDisposables(backends);
        await using var proxy = await InProcessProxy.StartAsync(
            Create("RoundRobin", backends.Select(backend => Destination(backend, ("MaxConns", $"{maxConns}")))), Cancellation);

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => proxy.Client.GetAsync("/delay/500", Cancellation)));

        try
        {
            Assert.All(backends, backend => Assert.InRange(backend.Stats.Snapshot(backend.Name).MaxInFlight, 1, maxConns));
            Assert.Contains(backends, backend => backend.Stats.Snapshot(backend.Name).MaxInFlight == maxConns);
            var served = responses.Count(response => response.StatusCode == HttpStatusCode.OK);
            Assert.InRange(served, 3 * maxConns, 50 - 1);
            foreach (var rejected in responses.Where(response => response.StatusCode != HttpStatusCode.OK))
            {
                var problem = await ProblemAssert.IsProblemAsync(rejected, HttpStatusCode.ServiceUnavailable);
                Assert.Equal("All destinations at MaxConns", problem.GetProperty("title").GetString());
                Assert.Equal(ClusterId, problem.GetProperty("cluster").GetString());
            }
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }
    }

    [Fact]
    public async Task MaxConns_SlotsFreeAgain_WhenRequestsComplete()
    {
        await using var backend = await InProcessBackend.StartAsync("only", Cancellation);
        await using var proxy = await InProcessProxy.StartAsync(Create("WeightedRoundRobin", [Destination(backend, ("MaxConns", "1"))]), Cancellation);

        // One at a time never meets the limit, however many there are; a failed one must release too.
        for (var i = 0; i < 20; i++)
        {
            using var response = await proxy.Client.GetAsync(i % 2 == 0 ? "/" : "/status/500", Cancellation);
            Assert.NotEqual(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }
    }

    [Fact]
    public async Task Down_NeverServes()
    {
        var backends = await InProcessBackend.StartManyAsync(3, Cancellation);
        await using var stopBackends = new AsyncDisposables(backends);
        await using var proxy = await InProcessProxy.StartAsync(Create("WeightedRoundRobin",
        [
            Destination(backends[0]),
            Destination(backends[1], ("Down", "true")),
            Destination(backends[2]),
        ]), Cancellation);

        var tally = await TallyAsync(proxy.Client, 60, Cancellation);

        Assert.Equal(30, tally[backends[0].Name]);
        Assert.Equal(30, tally[backends[2].Name]);
        Assert.Equal(0, backends[1].Stats.Snapshot(backends[1].Name).Served);
    }

    [Fact]
    public async Task Backup_ServesOnlyWhileEveryPrimaryIsDown()
    {
        var backends = await InProcessBackend.StartManyAsync(3, Cancellation);
        await using var stopBackends = new AsyncDisposables(backends);
        var healthCheck = JsonNode.Parse("""
            {
              "HealthCheck": { "Active": { "Enabled": true, "Interval": "00:00:00.250", "Timeout": "00:00:01", "Path": "/health" } },
              "Metadata": { "ConsecutiveFailuresHealthPolicy.Threshold": "1" }
            }
            """)!.AsObject();
        await using var proxy = await InProcessProxy.StartAsync(Create("RoundRobin",
        [
            Destination(backends[0]),
            Destination(backends[1]),
            Destination(backends[2], ("Backup", "true")),
        ], healthCheck), Cancellation);
        var backup = backends[2];

        var bothPrimaries = await TallyAsync(proxy.Client, 30, Cancellation);
        Assert.Equal([backends[0].Name, backends[1].Name], bothPrimaries.Keys.Order(StringComparer.Ordinal));

        await backends[0].StopAsync();
        await WaitUntilAvailableAsync(proxy, [backends[1].Name]);
        var onePrimary = await TallyAsync(proxy.Client, 30, Cancellation);
        Assert.Equal(30, onePrimary[backends[1].Name]);

        await backends[1].StopAsync();
        await WaitUntilAvailableAsync(proxy, [backup.Name]);
        Assert.Equal(0, backup.Stats.Snapshot(backup.Name).Served);
        var noPrimary = await TallyAsync(proxy.Client, 30, Cancellation);
        Assert.Equal(30, noPrimary[backup.Name]);
    }

    [Fact]
    public async Task SlowStart_ReturningReplica_ShareRampsUpInsteadOfJumping()
    {
        var time = new FakeTimeProvider();
        var backends = await InProcessBackend.StartManyAsync(3, Cancellation);
        await using var stopBackends = new AsyncDisposables(backends);
        var returning = backends[2];
        JsonObject Configuration(bool returningDown) => Create("WeightedRoundRobin", backends.Select(backend =>
            Destination(backend, ("SlowStart", "00:00:10"), ("Down", backend == returning && returningDown ? "true" : "false"))));
        await using var proxy = await InProcessProxy.StartAsync(Configuration(returningDown: false), Cancellation,
            services => services.AddSingleton<TimeProvider>(time));

        // Available from the start: no ramp.
        Assert.Equal(33, (await TallyAsync(proxy.Client, 99, Cancellation))[returning.Name]);

        Assert.True(await proxy.ReconfigureAsync(Configuration(returningDown: true), Cancellation));
        Assert.False((await TallyAsync(proxy.Client, 30, Cancellation)).ContainsKey(returning.Name));
        Assert.True(await proxy.ReconfigureAsync(Configuration(returningDown: false), Cancellation));

        var shares = new List<int>();
        foreach (var step in new[] { 0, 3, 3, 4 })
        {
            time.Advance(TimeSpan.FromSeconds(step));
            shares.Add((await TallyAsync(proxy.Client, 100, Cancellation)).GetValueOrDefault(returning.Name));
        }

        // Weight 0.1, 0.3, 0.6, then 1 against two at 1: shares of about 5, 13, 23 and 33 in 100.
        Assert.InRange(shares[0], 1, 8);
        Assert.InRange(shares[1], 10, 16);
        Assert.InRange(shares[2], 20, 26);
        Assert.InRange(shares[3], 33, 34);
    }

    [Fact]
    public async Task Reload_UnderLoad_SwitchingPolicyWeightsAndDestinationsFailsNoRequest()
    {
        var backends = await InProcessBackend.StartManyAsync(3, Cancellation);
        await using var stopBackends = new AsyncDisposables(backends);
        var all = backends.Select(backend => Destination(backend)).ToArray();
        await using var proxy = await InProcessProxy.StartAsync(Create("RoundRobin", all), Cancellation);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        var failures = new List<string>();
        var succeeded = 0;
        var workers = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, i % 3 == 0 ? "/delay/20" : $"/?user={worker}-{i}");
                using var response = await proxy.Client.SendAsync(request, CancellationToken.None);
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref succeeded);
                }
                else
                {
                    var failure = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(CancellationToken.None)}";
                    lock (failures)
                    {
                        failures.Add(failure);
                    }
                }
            }
        }, CancellationToken.None)).ToArray();

        var weighted = new[]
        {
            Destination(backends[0], ("Weight", "5")),
            Destination(backends[1], ("Weight", "1")),
            Destination(backends[2], ("Weight", "2")),
        };
        var hashed = JsonNode.Parse("""{ "Metadata": { "HashKey": "query:user" } }""")!.AsObject();
        JsonObject[] reloads =
        [
            Create("WeightedRoundRobin", weighted),
            Create("WeightedLeastRequests", weighted),
            Create("PeakEwma", all),
            Create("ConsistentHash", weighted, hashed),
            Create("ConsistentHash", weighted[..2], hashed),
            Create("weightedroundrobin", all),
            Create("PowerOfTwoChoices", weighted[1..]),
            Create("RoundRobin", all),
        ];
        try
        {
            foreach (var configuration in reloads)
            {
                var before = Volatile.Read(ref succeeded);
                Assert.True(await proxy.ReconfigureAsync(configuration, Cancellation));
                await Eventually.HoldsAsync(() => Volatile.Read(ref succeeded) >= before + 50, TimeSpan.FromSeconds(30), "50 requests served after the reload");
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(30), Cancellation);
        }

        Assert.Empty(failures);
        Assert.True(succeeded >= reloads.Length * 50);
    }

    [Fact]
    public async Task Start_BadWeight_FailsNamingClusterDestinationKeyAndValue()
    {
        var configuration = JsonNode.Parse("""
            {
              "ReverseProxy": {
                "Routes": { "all": { "ClusterId": "backend", "Match": { "Path": "{**catch-all}" } } },
                "Clusters": { "backend": { "LoadBalancingPolicy": "WeightedRoundRobin", "Destinations": {
                  "one": { "Address": "http://127.0.0.1:1", "Metadata": { "Weight": "abc" } } } } }
              }
            }
            """)!.AsObject();

        var exception = await Assert.ThrowsAsync<ProxyConfigurationException>(() => InProcessProxy.StartAsync(configuration, Cancellation));

        var problem = Assert.Single(exception.Problems);
        // Service discovery suffixes the destination id with the address it resolved: "one[127.0.0.1:1]".
        Assert.StartsWith("Cluster 'backend', destination 'one", problem, StringComparison.Ordinal);
        Assert.Contains("metadata 'Weight' = 'abc'", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reload_BadMetadata_IsRejectedAndPreviousWeightsKeepServing()
    {
        var backends = await InProcessBackend.StartManyAsync(2, Cancellation);
        await using var stopBackends = new AsyncDisposables(backends);
        await using var proxy = await InProcessProxy.StartAsync(Create("WeightedRoundRobin",
            [Destination(backends[0], ("Weight", "3")), Destination(backends[1])]), Cancellation);

        var applied = await proxy.ReconfigureAsync(Create("ConsistentHash",
            [Destination(backends[0], ("Weight", "3")), Destination(backends[1], ("MaxConns", "none"))],
            JsonNode.Parse("""{ "Metadata": { "HashKey": "body" } }""")!.AsObject()), Cancellation);

        Assert.False(applied);
        var tally = await TallyAsync(proxy.Client, 40, Cancellation);
        Assert.Equal(30, tally[backends[0].Name]);
        Assert.Equal(10, tally[backends[1].Name]);
    }

    private static async Task WaitUntilAvailableAsync(InProcessProxy proxy, string[] expected)
    {
        var state = proxy.Services.GetRequiredService<IProxyStateLookup>();
        await Eventually.HoldsAsync(() => state.TryGetCluster(ClusterId, out var cluster)
            && cluster.DestinationsState.AvailableDestinations
                .Select(destination => destination.DestinationId.Split('[')[0]) // service discovery appends "[address]"
                .Order(StringComparer.Ordinal).SequenceEqual(expected),
            TimeSpan.FromSeconds(30), $"only {string.Join(", ", expected)} available");
    }
}
