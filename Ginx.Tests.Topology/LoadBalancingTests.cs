using System.Net.Http.Json;
using Ginx.SampleBackend;

namespace Ginx.Tests.Topology;

[Collection(TopologyCollection.Name)]
public sealed class LoadBalancingTests(GinxTopologyFixture topology)
{
    private const int Requests = 600;
    private const int Concurrency = 20;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(GinxTopologyFixture.LeastRequestsHost)]
    [InlineData(GinxTopologyFixture.PeakEwmaHost)]
    public async Task SlowReplica_ServesWellUnderAThird_AndRecoversWhenFast(string host)
    {
        var slow = topology.Replicas[0];
        using var replica = topology.Replica(slow);
        Dictionary<string, int> whileSlow;
        try
        {
            using var slowed = await replica.PostAsJsonAsync("/chaos", new { latencyMs = 200 }, Cancellation);
            slowed.EnsureSuccessStatusCode();

            whileSlow = await TallyAsync(host, Requests, Cancellation);
        }
        finally
        {
            using var healed = await replica.DeleteAsync("/chaos", CancellationToken.None);
            healed.EnsureSuccessStatusCode();
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{host}, {slow} slowed: {string.Join(", ", whileSlow.Select(pair => $"{pair.Key}={pair.Value}"))}");

        // A third would be an even share; a latency-blind policy gives it that.
        Assert.Equal(Requests, whileSlow.Values.Sum());
        Assert.InRange(whileSlow.GetValueOrDefault(slow), 0, Requests / 3 / 2);

        // Healed, it wins a fair part of its share back (peak EWMA once its slow average has decayed).
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(90));
        const int batch = 60;
        var recovery = System.Diagnostics.Stopwatch.StartNew();
        while ((await TallyAsync(host, batch, timeout.Token)).GetValueOrDefault(slow) < batch / 3 / 2)
        {
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{host}, {slow} healed: a sixth of a batch again after {recovery.Elapsed.TotalSeconds:F1} s");
    }

    private async Task<Dictionary<string, int>> TallyAsync(string host, int requests, CancellationToken cancellationToken)
    {
        var served = new string[requests];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < requests; i = Interlocked.Increment(ref next))
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/");
                request.Headers.Host = host;
                using var response = await topology.Proxy.SendAsync(request, cancellationToken);
                response.EnsureSuccessStatusCode();
                served[i] = Assert.Single(response.Headers.GetValues(ReplicaIdentity.HeaderName));
            }
        }));

        return served.CountBy(replica => replica).ToDictionary();
    }
}
