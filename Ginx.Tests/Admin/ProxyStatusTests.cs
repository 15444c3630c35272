using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ginx.Proxy.Configuration;
using Ginx.Proxy.Upstream;
using Ginx.SampleBackend;
using Ginx.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Ginx.Tests.Admin;

public sealed class ProxyStatusTests
{
    private const string Cluster = "status";
    private const int ReturningWeight = 4;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static Task<JsonElement> StatusAsync(InProcessProxy proxy) => proxy.StatusAsync(Cancellation);

    private static JsonElement Destinations(JsonElement status) => InProcessProxy.ClusterStatus(status, Cluster).GetProperty("destinations");

    [Fact]
    public async Task Status_AfterRequests_CountsEachDestinationsRequestsAndFailures()
    {
        var backends = await InProcessBackend.StartManyAsync(2, Cancellation);
        var configuration = ClusterConfiguration.RoundRobin(Cluster, backends.Select(backend => (backend.Name, backend.Address)));
        configuration["ReverseProxy"]!["Clusters"]![Cluster]!["Destinations"]![backends[1].Name]!["Metadata"] =
            new JsonObject { ["Weight"] = "3" };
        await using var proxy = await InProcessProxy.StartAsync(configuration, Cancellation);

        const int sent = 10;
        var served = new Dictionary<string, int>();
        for (var i = 0; i < sent; i++)
        {
            // Every other request fails at the destination, so failures have something to count.
            using var response = await proxy.Client.GetAsync(i % 2 == 0 ? "/" : "/status/500", Cancellation);
            var replica = Assert.Single(response.Headers.GetValues(ReplicaIdentity.HeaderName));
            served[replica] = served.GetValueOrDefault(replica) + 1;
        }

        JsonElement destinations = default;
        await Eventually.HoldsAsync(async () =>
        {
            destinations = Destinations(await StatusAsync(proxy));
            return destinations.EnumerateArray().Sum(destination => destination.GetProperty("requests").GetInt64()) == sent;
        }, Timeout, $"the status API counts {sent} requests");

        var status = await StatusAsync(proxy);
        var cluster = Assert.Single(status.GetProperty("clusters").EnumerateArray());
        Assert.Equal("RoundRobin", cluster.GetProperty("policy").GetString());
        foreach (var backend in backends)
        {
            var destination = Assert.Single(destinations.EnumerateArray(), destination => destination.GetProperty("name").GetString() == backend.Name);
            Assert.StartsWith(backend.Name, destination.GetProperty("id").GetString(), StringComparison.Ordinal);
            Assert.Equal(backend.Address, new Uri(destination.GetProperty("address").GetString()!));
            Assert.Equal(served[backend.Name], destination.GetProperty("requests").GetInt64());
            Assert.Equal(0, destination.GetProperty("activeRequests").GetInt32());
            Assert.True(destination.GetProperty("ewmaLatencyMs").GetDouble() > 0, "a destination that served has a latency");
            // Passive health judged it by its transport, which never failed.
            Assert.Equal("healthy", destination.GetProperty("health").GetString());
        }

        // Round robin alternates destinations and the paths alternate too: one destination got every 500.
        Assert.Equal(sent / 2, destinations.EnumerateArray().Sum(destination => destination.GetProperty("failures").GetInt64()));
        Assert.Equal(1, Weight(destinations, backends[0].Name));
        Assert.Equal(3, Weight(destinations, backends[1].Name));

        await Task.WhenAll(backends.Select(backend => backend.DisposeAsync().AsTask()));
    }

    [Fact]
    public async Task Status_DestinationTakenOut_ShowsUnhealthy()
    {
        await using var backend = await InProcessBackend.StartAsync("s-1", Cancellation);
        await using var proxy = await InProcessProxy.StartAsync(
            ClusterConfiguration.RoundRobin(Cluster, (backend.Name, backend.Address)), Cancellation);
        var cluster = proxy.Cluster(Cluster);

        proxy.Services.GetRequiredService<IDestinationHealthUpdater>()
            .SetPassive(cluster, cluster.Destinations.Values.Single(), DestinationHealth.Unhealthy, TimeSpan.FromMinutes(10));

        await Eventually.HoldsAsync(async () =>
            Destinations(await StatusAsync(proxy))[0].GetProperty("health").GetString() == "unhealthy",
            Timeout, "the status API shows the destination unhealthy");
    }

    [Fact]
    public async Task Status_BackupWhilePrimaryServesAndDestinationMarkedDown_ShowStandbyAndDown()
    {
        var destinations = new JsonObject
        {
            ["primary"] = new JsonObject { ["Address"] = "http://127.0.0.1:1" },
            ["spare"] = new JsonObject { ["Address"] = "http://127.0.0.1:1", ["Metadata"] = new JsonObject { ["Backup"] = "true" } },
            ["retired"] = new JsonObject { ["Address"] = "http://127.0.0.1:1", ["Metadata"] = new JsonObject { ["Down"] = "true" } },
        };
        await using var proxy = await InProcessProxy.StartAsync(
            ProxyConfigurations.CatchAll(Cluster, new JsonObject { ["Destinations"] = destinations }), Cancellation);

        var health = Destinations(await StatusAsync(proxy)).EnumerateArray()
            .ToDictionary(destination => destination.GetProperty("name").GetString()!, destination => destination.GetProperty("health").GetString());

        Assert.Equal("unknown", health["primary"]);
        Assert.Equal("standby", health["spare"]);
        Assert.Equal("down", health["retired"]);
    }

    [Fact]
    public async Task Status_PeakEwmaDestinationBackFromASlowSpell_ShowsTheShareOfItsWeightItPicksWith()
    {
        var weight = await WeightJustBackFromASlowSpellAsync("PeakEwma");

        // Its ramp began as the status was asked for, well within the first half of it.
        Assert.InRange(weight, ReturningWeight * DestinationRuntime.SlowStartFloor, ReturningWeight * 0.5);
    }

    [Fact]
    public async Task Status_DestinationBackFromASlowSpell_UnderAPolicyThatDoesNotRampIt_ShowsItsWeight()
    {
        Assert.Equal(ReturningWeight, await WeightJustBackFromASlowSpellAsync("WeightedLeastRequests"));
    }

    [Fact]
    public async Task Status_OnThePublicListener_IsNotServedButProxied()
    {
        await using var backend = await InProcessBackend.StartAsync("s-1", Cancellation);
        await using var proxy = await InProcessProxy.StartAsync(
            ClusterConfiguration.RoundRobin(Cluster, (backend.Name, backend.Address)), Cancellation);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/ginx/status");
        // Naming the admin listener in the Host header must not help: only the connection counts.
        request.Headers.Host = proxy.AdminAddress.Authority;
        using var response = await proxy.Client.SendAsync(request, Cancellation);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(backend.Name, Assert.Single(response.Headers.GetValues(ReplicaIdentity.HeaderName)));
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://127.0.0.1:21")]
    [InlineData("")]
    public async Task Start_InvalidAdminUrls_FailsNamingTheKeyAndValue(string urls)
    {
        var configuration = ClusterConfiguration.RoundRobin(Cluster, ("one", new Uri("http://127.0.0.1:1")));
        configuration["Ginx"] = new JsonObject { ["Admin"] = new JsonObject { ["Urls"] = urls } };

        var exception = await Assert.ThrowsAsync<ProxyConfigurationException>(() => InProcessProxy.StartAsync(configuration, Cancellation));

        var problem = Assert.Single(exception.Problems);
        Assert.Contains("Ginx:Admin:Urls", problem, StringComparison.Ordinal);
        Assert.Contains($"'{urls}'", problem, StringComparison.Ordinal);
    }

    // The destination's runtime is told of a slow answer, then, a silence longer than ReturnAfter
    // later, of a fast one: back from a slow spell now, so under PeakEwma its ramp has just begun.
    private static async Task<double> WeightJustBackFromASlowSpellAsync(string policy)
    {
        var destinations = new JsonObject
        {
            ["returning"] = new JsonObject
            {
                ["Address"] = "http://127.0.0.1:1",
                ["Metadata"] = new JsonObject { ["Weight"] = ReturningWeight.ToString(CultureInfo.InvariantCulture) },
            },
        };
        await using var proxy = await InProcessProxy.StartAsync(
            ProxyConfigurations.CatchAll(Cluster, new JsonObject { ["LoadBalancingPolicy"] = policy, ["Destinations"] = destinations }), Cancellation);
        var runtime = DestinationRuntime.Of(proxy.Cluster(Cluster).Destinations.Values.Single());
        var time = proxy.Services.GetRequiredService<TimeProvider>();
        var now = time.GetTimestamp();
        var earlier = now - (long)(time.TimestampFrequency * 2 * DestinationRuntime.ReturnAfter.TotalSeconds);
        runtime.RecordLatency(TimeSpan.FromMilliseconds(300), load: 1, failed: false, earlier, time);
        runtime.RecordLatency(TimeSpan.FromMilliseconds(1), load: 1, failed: false, now, time);

        return Weight(Destinations(await StatusAsync(proxy)), "returning");
    }

    private static double Weight(JsonElement destinations, string name) =>
        Assert.Single(destinations.EnumerateArray(), destination => destination.GetProperty("name").GetString() == name)
            .GetProperty("weight").GetDouble();
}
