using Ginx.Proxy.LoadBalancing;
using Ginx.Proxy.Upstream;
using Microsoft.Extensions.Time.Testing;
using static Ginx.Tests.LoadBalancing.BalancingTestCluster;

namespace Ginx.Tests.LoadBalancing;

public sealed class DestinationBalancingStatusTests
{
    [Fact]
    public void Of_ServingDestination_ReportsWeightLatencyAndInFlight()
    {
        var time = new FakeTimeProvider();
        var destination = Weighted("a", 4);
        DestinationRuntime.Of(destination).RecordLatency(TimeSpan.FromMilliseconds(120), load: 1, failed: false, time.GetTimestamp(), time);
        Load(destination, 2);

        var status = DestinationBalancingStatus.Of(destination, time);

        Assert.Equal(new DestinationBalancingStatus(4, 4, 120, 2), status);
        Assert.Null(DestinationBalancingStatus.Of(Weighted("never-used", 1), time).LatencyMs);
    }
}
