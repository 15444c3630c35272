using System.Net;
using Ginx.AppHost;
using Ginx.SampleBackend;
using Ginx.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Ginx.Tests.Topology;

[Collection(TopologyCollection.Name)]
public sealed class TelemetryTests(GinxTopologyFixture topology)
{
    private const string Cluster = "backend";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>Requests per destination of the balanced cluster, from the admin listener's status API.</summary>
    private async Task<Dictionary<string, long>> RequestsPerDestinationAsync() =>
        (await topology.DestinationStatusAsync(Cluster, Cancellation))
            .ToDictionary(pair => pair.Key, pair => pair.Value.GetProperty("requests").GetInt64());

    private async Task<long> TotalRequestsAsync() => (await RequestsPerDestinationAsync()).Values.Sum();

    [Fact]
    public async Task Status_AfterRequests_PerDestinationRequestsAddUpToThem()
    {
        const int sent = 60;
        var before = await RequestsPerDestinationAsync();
        var served = new Dictionary<string, long>();
        for (var i = 0; i < sent; i++)
        {
            using var response = await topology.Proxy.GetAsync("/", Cancellation);
            response.EnsureSuccessStatusCode();
            var replica = Assert.Single(response.Headers.GetValues(ReplicaIdentity.HeaderName));
            served[replica] = served.GetValueOrDefault(replica) + 1;
        }

        Dictionary<string, long> after = [];
        await Eventually.HoldsAsync(async () =>
        {
            after = await RequestsPerDestinationAsync();
            return after.Values.Sum() - before.Values.Sum() >= sent;
        }, Timeout, $"the status API counts {sent} more requests");

        Assert.Equal(topology.Replicas, after.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(sent, after.Values.Sum() - before.Values.Sum());
        foreach (var replica in topology.Replicas)
        {
            Assert.Equal(served.GetValueOrDefault(replica), after[replica] - before[replica]);
        }
    }

    [Fact]
    public async Task Status_OnThePublicListener_IsNotServed()
    {
        using var response = await topology.Proxy.GetAsync("/ginx/status", Cancellation);

        // Proxied like any other path, and the replica has no such page.
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains(Assert.Single(response.Headers.GetValues(ReplicaIdentity.HeaderName)), topology.Replicas);
    }

    [Fact]
    public async Task Traffic_StartAndStopCommands_StartAndStopRequestsThroughTheProxy()
    {
        var generator = topology.App.Services.GetRequiredService<TrafficGenerator>();
        Assert.False(generator.IsRunning);
        var before = await TotalRequestsAsync();
        var completedBefore = generator.Completed;

        var started = await topology.App.ResourceCommands.ExecuteCommandAsync("proxy", TrafficCommands.Start, Cancellation);
        Assert.True(started.Success, started.Message);
        await Eventually.HoldsAsync(async () => await TotalRequestsAsync() - before >= 20, Timeout, "generated requests arrive");

        var stopped = await topology.App.ResourceCommands.ExecuteCommandAsync("proxy", TrafficCommands.Stop, Cancellation);
        Assert.True(stopped.Success, stopped.Message);
        Assert.False(generator.IsRunning);

        // Stopping waits for the requests in flight: every one it sent has arrived, and no more come.
        var sent = generator.Completed - completedBefore;
        await Eventually.HoldsAsync(async () => await TotalRequestsAsync() - before == sent, Timeout, $"exactly the {sent} generated requests arrived");
        using var probe = await topology.Proxy.GetAsync("/", Cancellation);
        probe.EnsureSuccessStatusCode();
        await Eventually.HoldsAsync(async () => await TotalRequestsAsync() - before == sent + 1, Timeout, "only the probe arrived since");
        Assert.Equal(sent, generator.Completed - completedBefore);
    }

    [Fact]
    public async Task Traffic_BurstCommand_SendsAThousandRequests()
    {
        var before = await TotalRequestsAsync();

        var burst = await topology.App.ResourceCommands.ExecuteCommandAsync("proxy", TrafficCommands.Burst, Cancellation);

        Assert.True(burst.Success, burst.Message);
        await Eventually.HoldsAsync(async () => await TotalRequestsAsync() - before == TrafficCommands.BurstSize,
            Timeout, "exactly the burst arrived");
    }
}
