using Ginx.Proxy.LoadBalancing;
using Ginx.Proxy.Upstream;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Yarp.ReverseProxy.Model;
using static Ginx.Tests.LoadBalancing.BalancingTestCluster;

namespace Ginx.Tests.LoadBalancing;

public sealed class PeakEwmaLoadBalancingPolicyTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly DefaultHttpContext _context = new();
    private readonly DestinationState[] _destinations = [Destination("slow"), Destination("fast-1"), Destination("fast-2")];
    private readonly PeakEwmaLoadBalancingPolicy _policy;
    private readonly ClusterState _cluster;

    public PeakEwmaLoadBalancingPolicyTests()
    {
        _policy = new PeakEwmaLoadBalancingPolicy(new SeededRandomFactory(42), _time);
        _cluster = Cluster(_destinations);
    }

    [Fact]
    public void PickDestination_PeakEwma_SlowDestinationLosesEveryComparison()
    {
        Observe(_destinations[0], 200);
        Observe(_destinations[1], 2);
        Observe(_destinations[2], 2);

        var tally = Tally(() => _policy.PickDestination(_context, _cluster, _destinations), 300);

        Assert.False(tally.ContainsKey("slow"));
        Assert.Equal(300, tally["fast-1"] + tally["fast-2"]);
    }

    [Fact]
    public void PickDestination_PeakEwma_OneSlowSampleTakesThePeakAtOnce()
    {
        for (var i = 0; i < 50; i++)
        {
            Observe(_destinations[0], 2);
            Observe(_destinations[1], 3);
            Observe(_destinations[2], 3);
            _time.Advance(TimeSpan.FromMilliseconds(10));
        }

        Observe(_destinations[0], 200);

        var tally = Tally(() => _policy.PickDestination(_context, _cluster, _destinations), 300);
        Assert.False(tally.ContainsKey("slow"));
    }

    [Fact]
    public void PickDestination_PeakEwma_IdleSlowDestinationIsTriedAgainAsItsLatencyDecays()
    {
        Observe(_destinations[0], 200);

        // The fast ones keep serving (and being measured); the slow one, never picked, is not.
        var tried = TimeSpan.Zero;
        for (var elapsed = TimeSpan.Zero; elapsed < TimeSpan.FromMinutes(1) && tried == TimeSpan.Zero; elapsed += TimeSpan.FromMilliseconds(100))
        {
            Observe(_destinations[1], 2);
            Observe(_destinations[2], 2);
            _time.Advance(TimeSpan.FromMilliseconds(100));
            if (_policy.PickDestination(_context, _cluster, _destinations) == _destinations[0])
            {
                tried = elapsed;
            }
        }

        // 200 ms decays below 2 ms after ln(100) time constants, and not long before.
        var expected = DestinationRuntime.LatencyDecay * Math.Log(100);
        Assert.InRange(tried, expected - TimeSpan.FromSeconds(2), expected + TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void PickDestination_PeakEwma_DestinationNotMeasuredYetWinsEveryComparison()
    {
        Observe(_destinations[1], 2);
        Observe(_destinations[2], 2);

        var tally = Tally(() => _policy.PickDestination(_context, _cluster, _destinations), 300);

        // It is in two of the three pairs; a measured pair picks between themselves.
        Assert.InRange(tally[_destinations[0].DestinationId], 300 * 2 / 3 - 30, 300 * 2 / 3 + 30);
    }

    [Fact]
    public void PickDestination_PeakEwma_RequestsInFlightCountAgainstEqualLatency()
    {
        foreach (var destination in _destinations)
        {
            Observe(destination, 5);
        }

        Load(_destinations[1], 3);

        var tally = Tally(() => _policy.PickDestination(_context, _cluster, _destinations), 300);
        Assert.False(tally.ContainsKey("fast-1"));
    }

    [Fact]
    public void PickDestination_PeakEwma_OneDestinationIsPicked()
    {
        Assert.Same(_destinations[0], _policy.PickDestination(_context, _cluster, [_destinations[0]]));
    }

    private void Observe(DestinationState destination, int milliseconds) =>
        DestinationRuntime.Of(destination).RecordLatency(TimeSpan.FromMilliseconds(milliseconds), _time.GetTimestamp(), _time);
}
