using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Ginx.Proxy.LoadBalancing;
using Ginx.Proxy.Telemetry;
using Ginx.Proxy.Upstream;
using Ginx.SampleBackend;
using Ginx.Tests.Support;

namespace Ginx.Tests.Retries;

public sealed class RequestRetriesTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    // Passive health off, so every request meets every failing destination and the counts below
    // are the retry logic's alone.
    private static JsonObject NoEjection() => new() { ["MaxFails"] = "0", ["Consecutive5xx"] = "0", ["SuccessRateStdevFactor"] = "0" };

    private static async Task<InProcessBackend[]> StartAllAnswering503Async(int count)
    {
        var backends = await InProcessBackend.StartManyAsync(count, Cancellation);
        foreach (var backend in backends)
        {
            backend.Chaos.Current = new ChaosSettings { ErrorRate = 1, ErrorStatus = 503 };
        }

        return backends;
    }

    private static async Task<InProcessBackend[]> StartFirstOfThreeAnswering503Async()
    {
        var backends = await InProcessBackend.StartManyAsync(3, Cancellation);
        backends[0].Chaos.Current = new ChaosSettings { ErrorRate = 1, ErrorStatus = 503 };
        return backends;
    }

    private static long Served(IEnumerable<InProcessBackend> backends) => backends.Sum(backend => Served(backend));

    private static long Served(InProcessBackend backend) => backend.Stats.Snapshot(backend.Name).Served;

    [Theory]
    [InlineData("second a peer")]
    [InlineData("second a backup")] // Not available to the first attempt, since the first is a primary.
    [InlineData("first marked down")] // Picked all the same: YARP's own availability policies know nothing of Down.
    public async Task Get_FirstDestinationRefusesConnections_TheSecondServesIt(string setup)
    {
        await using var replicas = setup switch
        {
            "second a backup" => await FirstThenSecond.StartAsync(NoEjection(), secondMetadata: new JsonObject { ["Backup"] = "true" }),
            "first marked down" => await FirstThenSecond.StartAsync(
                NoEjection(), firstMetadata: new JsonObject { ["Down"] = "true" }, availableDestinationsPolicy: "HealthyAndUnknown"),
            _ => await FirstThenSecond.StartAsync(NoEjection()),
        };
        await replicas.First.StopAsync();

        using var response = await replicas.Proxy.Client.GetAsync("/", Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(replicas.Second.Name, Assert.Single(response.Headers.GetValues(ReplicaIdentity.HeaderName)));
    }

    [Fact]
    public async Task Post_FirstDestinationRefusesConnections_IsSentToAnotherBecauseItNeverArrived()
    {
        await using var replicas = await FirstThenSecond.StartAsync(NoEjection());
        await replicas.First.StopAsync();

        using var response = await replicas.Proxy.Client.PostAsync("/echo", new StringContent("order #1"), Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("order #1", await response.Content.ReadAsStringAsync(Cancellation));
    }

    [Fact]
    public async Task Get_OnlyDestinationNotDownRefusesConnections_TheOneMarkedDownIsNotTried()
    {
        await using var replicas = await FirstThenSecond.StartAsync(NoEjection(), secondMetadata: new JsonObject { ["Down"] = "true" });
        await replicas.First.StopAsync();

        using var response = await replicas.Proxy.Client.GetAsync("/", Cancellation);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Equal(0, Served(replicas.Second));
    }

    [Fact]
    public async Task Get_PrimaryRefusesConnectionsWhileTheOtherIsAtMaxConns_BackupServesIt()
    {
        var full = await InProcessBackend.StartAsync("a-full", Cancellation);
        var dead = await InProcessBackend.StartAsync("b-dead", Cancellation);
        var backup = await InProcessBackend.StartAsync("c-backup", Cancellation);
        await using var _ = new AsyncDisposables([full, dead, backup]);
        var configuration = ProxyConfigurations.OneCluster([full, dead, backup], policy: "FirstAlphabetical", metadata: NoEjection());
        var destinations = configuration["ReverseProxy"]!["Clusters"]!["backend"]!["Destinations"]!;
        destinations[full.Name]!["Metadata"] = new JsonObject { ["MaxConns"] = "1" };
        destinations[backup.Name]!["Metadata"] = new JsonObject { ["Backup"] = "true" };
        await using var proxy = await InProcessProxy.StartAsync(configuration, Cancellation);
        await dead.StopAsync();

        var holding = proxy.Client.GetAsync("/delay/2000", Cancellation);
        var fullDestination = proxy.Cluster("backend").Destinations.Values.Single(destination => DestinationName.Of(destination.DestinationId) == full.Name);
        await Eventually.HoldsAsync(() => DestinationRuntime.Of(fullDestination).InFlight == 1, TimeSpan.FromSeconds(10), "a-full holds its one request");

        using var response = await proxy.Client.GetAsync("/", Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(backup.Name, Assert.Single(response.Headers.GetValues(ReplicaIdentity.HeaderName)));
        (await holding).Dispose(); // a-full answers its request in the end
    }

    [Fact]
    public async Task Get_OnlyAvailableDestinationRefusesConnections_OneTakenOutEarlierServesIt()
    {
        var maxFailsOnly = new JsonObject
        {
            ["MaxFails"] = "1", ["FailTimeout"] = "00:10:00", ["Consecutive5xx"] = "0", ["SuccessRateStdevFactor"] = "0",
        };
        await using var replicas = await FirstThenSecond.StartAsync(maxFailsOnly);
        replicas.First.Chaos.Current = new ChaosSettings { ErrorRate = 1, ErrorStatus = 503 };
        using (var failedOver = await replicas.Proxy.Client.GetAsync("/", Cancellation))
        {
            Assert.Equal(replicas.Second.Name, Assert.Single(failedOver.Headers.GetValues(ReplicaIdentity.HeaderName)));
        }

        var cluster = replicas.Proxy.Cluster("backend");
        await Eventually.HoldsAsync(() => cluster.DestinationsState.AvailableDestinations is [var only] && DestinationName.Of(only.DestinationId) == replicas.Second.Name,
            TimeSpan.FromSeconds(10), "the failing first destination is taken out");
        replicas.First.Chaos.Current = ChaosSettings.None;
        await replicas.Second.StopAsync();

        using var response = await replicas.Proxy.Client.GetAsync("/", Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(replicas.First.Name, Assert.Single(response.Headers.GetValues(ReplicaIdentity.HeaderName)));
    }

    [Theory]
    [InlineData(500, "http_500")]
    [InlineData(429, "http_429")]
    [InlineData(403, "http_403")]
    [InlineData(404, "http_404")]
    public async Task Get_AnsweredWithAStatusRetryOnNames_IsTriedOnAnother(int status, string condition)
    {
        var metadata = NoEjection();
        metadata["RetryOn"] = $"error, {condition}";
        await using var replicas = await FirstThenSecond.StartAsync(metadata);
        replicas.First.Chaos.Current = new ChaosSettings { ErrorRate = 1, ErrorStatus = status };

        using var response = await replicas.Proxy.Client.GetAsync("/", Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(replicas.Second.Name, Assert.Single(response.Headers.GetValues(ReplicaIdentity.HeaderName)));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(429)]
    [InlineData(404)]
    public async Task Get_AnsweredWithAStatusTheDefaultRetryOnLeavesOut_IsPassedOn(int status)
    {
        await using var replicas = await FirstThenSecond.StartAsync(NoEjection());
        replicas.First.Chaos.Current = new ChaosSettings { ErrorRate = 1, ErrorStatus = status };

        using var response = await replicas.Proxy.Client.GetAsync("/", Cancellation);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(0, Served(replicas.Second));
    }

    [Fact]
    public async Task Get_Every503_IsTriedOnDistinctDestinationsUpToTries()
    {
        var backends = await StartAllAnswering503Async(4);
        await using var _ = new AsyncDisposables(backends);

        await using var proxy = await InProcessProxy.StartAsync(ProxyConfigurations.OneCluster(backends, metadata: NoEjection()), Cancellation);

        using var response = await proxy.Client.GetAsync("/", Cancellation);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(3, Served(backends));
        Assert.Equal(3, backends.Count(backend => Served(backend) == 1));
    }

    [Fact]
    public async Task Post_AnsweredWith503_IsNotReplayed()
    {
        var backends = await StartAllAnswering503Async(3);
        await using var _ = new AsyncDisposables(backends);

        await using var proxy = await InProcessProxy.StartAsync(ProxyConfigurations.OneCluster(backends, metadata: NoEjection()), Cancellation);

        using var response = await proxy.Client.PostAsync("/echo", new StringContent("charge the card"), Cancellation);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, Served(backends));
    }

    [Fact]
    public async Task Put_WithSmallBody_IsReplayedWhole()
    {
        await using var replicas = await FirstThenSecond.StartAsync(NoEjection());
        replicas.First.Chaos.Current = new ChaosSettings { ErrorRate = 1, ErrorStatus = 502 };
        var body = new string('x', 10_000);

        using var response = await replicas.Proxy.Client.PutAsync("/echo", new StringContent(body), Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsStringAsync(Cancellation));
        Assert.Equal(1, Served(replicas.First));
        Assert.Equal(1, Served(replicas.Second));
        Assert.Equal(replicas.Second.Name, Assert.Single(response.Headers.GetValues(ReplicaIdentity.HeaderName)));
    }

    [Fact]
    public async Task Put_WithChunkedBody_IsReplayedWhole()
    {
        await using var replicas = await FirstThenSecond.StartAsync(NoEjection());
        replicas.First.Chaos.Current = new ChaosSettings { ErrorRate = 1, ErrorStatus = 502 };
        var body = RandomNumberGenerator.GetBytes(20_000);

        using var response = await replicas.Proxy.Client.PutAsync("/echo", GatedContent.Chunked(body), Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsByteArrayAsync(Cancellation));
        Assert.Equal(replicas.Second.Name, Assert.Single(response.Headers.GetValues(ReplicaIdentity.HeaderName)));
    }

    [Fact]
    public async Task Put_WhoseBodyOutgrewTheReplayLimitBeforeTheFailure_IsNotReplayed()
    {
        var metadata = NoEjection();
        metadata["MaxReplayableBodyBytes"] = "4096";
        await using var replicas = await FirstThenSecond.StartAsync(metadata);
        // The first replica answers only after a pause, by which time the proxy has read the
        // whole body, more than it may keep.
        replicas.First.Chaos.Current = new ChaosSettings { ErrorRate = 1, ErrorStatus = 502, LatencyMs = 300 };

        using var response = await replicas.Proxy.Client.PutAsync("/echo", GatedContent.Chunked(RandomNumberGenerator.GetBytes(20_000)), Cancellation);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(0, Served(replicas.Second));
    }

    [Fact]
    public async Task Get_EveryDestinationFailing_RetriesStayWithinTheBudget()
    {
        const int requests = 100;
        var backends = await StartAllAnswering503Async(3);
        await using var _ = new AsyncDisposables(backends);

        var budget = new JsonObject { ["Retries"] = new JsonObject { ["BudgetPercent"] = "20", ["BudgetMinRetries"] = "5" } };
        await using var proxy = await InProcessProxy.StartAsync(
            ProxyConfigurations.OneCluster(backends, metadata: NoEjection(), ginx: budget), Cancellation);

        for (var i = 0; i < requests; i++)
        {
            using var response = await proxy.Client.GetAsync("/", Cancellation);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }

        var retries = Served(backends) - requests;
        Assert.InRange(retries, 5, requests * 20 / 100);
    }

    [Fact]
    public async Task Get_OneReplicaAnswering503_RetriesAnsweredWellLeaveTheBudgetAlone()
    {
        // A third of the requests meet the failing replica: more retries than the budget's 20 %,
        // every one of them answered by another replica, so none spent it.
        const int requests = 90;
        var backends = await StartFirstOfThreeAnswering503Async();
        await using var _ = new AsyncDisposables(backends);
        await using var proxy = await InProcessProxy.StartAsync(ProxyConfigurations.OneCluster(backends, metadata: NoEjection()), Cancellation);

        for (var i = 0; i < requests; i++)
        {
            using var response = await proxy.Client.GetAsync("/", Cancellation);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Each 503 was retried: more retries than the budget's share of 20 % of the requests.
        Assert.InRange(Served(backends[0]), (requests * 20 / 100) + 1, requests);
    }

    [Fact]
    public async Task Get_FirstBurstOnAFreshProxy_FloorCoversTheFailingShare_EveryRequestIsServed()
    {
        // The exact limit the README states: retries in flight at once count until answered, so a
        // burst whose failing share exceeds BudgetMinRetries needs a floor that covers it.
        const int burst = 48;
        var backends = await StartFirstOfThreeAnswering503Async();
        await using var _ = new AsyncDisposables(backends);
        var floor = new JsonObject { ["Retries"] = new JsonObject { ["BudgetMinRetries"] = (burst / 2).ToString(System.Globalization.CultureInfo.InvariantCulture) } };
        await using var proxy = await InProcessProxy.StartAsync(ProxyConfigurations.OneCluster(backends, metadata: NoEjection(), ginx: floor), Cancellation);

        var statuses = await Task.WhenAll(Enumerable.Range(0, burst).Select(async _ =>
        {
            using var response = await proxy.Client.GetAsync("/", Cancellation);
            return response.StatusCode;
        }));

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.InRange(Served(backends[0]), 11, burst);
    }

    /// <summary>Two replicas behind a proxy that always tries the first one first: break it and watch where requests go.</summary>
    private sealed class FirstThenSecond(InProcessBackend first, InProcessBackend second, InProcessProxy proxy) : IAsyncDisposable
    {
        public InProcessBackend First => first;

        public InProcessBackend Second => second;

        public InProcessProxy Proxy => proxy;

        /// <summary>Starts both replicas and the proxy; <paramref name="firstMetadata"/> and <paramref name="secondMetadata"/> become each destination's.</summary>
        public static async Task<FirstThenSecond> StartAsync(
            JsonObject metadata, JsonObject? firstMetadata = null, JsonObject? secondMetadata = null, string? availableDestinationsPolicy = null)
        {
            var first = await InProcessBackend.StartAsync("a-first", Cancellation);
            var second = await InProcessBackend.StartAsync("b-second", Cancellation);
            var configuration = ProxyConfigurations.OneCluster([first, second], policy: "FirstAlphabetical", metadata: metadata);
            var cluster = configuration["ReverseProxy"]!["Clusters"]!["backend"]!;
            cluster["Destinations"]![first.Name]!["Metadata"] = firstMetadata ?? new JsonObject();
            cluster["Destinations"]![second.Name]!["Metadata"] = secondMetadata ?? new JsonObject();
            if (availableDestinationsPolicy is not null)
            {
                cluster["HealthCheck"] = new JsonObject { ["AvailableDestinationsPolicy"] = availableDestinationsPolicy };
            }

            var proxy = await InProcessProxy.StartAsync(configuration, Cancellation);
            return new FirstThenSecond(first, second, proxy);
        }

        public async ValueTask DisposeAsync()
        {
            await proxy.DisposeAsync();
            await second.DisposeAsync();
            await first.DisposeAsync();
        }
    }
}
