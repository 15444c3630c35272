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

        var status = DestinationBalancingStatus.Of(destination, DestinationSettings.Of(destination), time, weightShare: null);

        Assert.Equal(new DestinationBalancingStatus(4, 4, 120, 2), status);
        var neverUsed = Weighted("never-used", 1);
        Assert.Null(DestinationBalancingStatus.Of(neverUsed, DestinationSettings.Of(neverUsed), time, weightShare: null).LatencyMs);
    }

    [Fact]
    public void Of_UnderAPolicyThatBalancesWithAShareOfTheWeight_ReportsThatShareOfIt()
    {
        var time = new FakeTimeProvider();
        var destination = Weighted("a", 4);

        var status = DestinationBalancingStatus.Of(destination, DestinationSettings.Of(destination), time, new QuarterShare());

        Assert.Equal(4, status.Weight);
        Assert.Equal(1, status.EffectiveWeight);
    }

    private sealed class QuarterShare : IWeightSharePolicy
    {
        public double WeightShare(DestinationRuntime runtime, long timestamp) => 0.25;
    }
}
