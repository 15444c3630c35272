using Ginx.Proxy.LoadBalancing;
using Ginx.Proxy.Upstream;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using static Ginx.Tests.LoadBalancing.BalancingTestCluster;

namespace Ginx.Tests.LoadBalancing;

public sealed class WeightedLeastRequestsLoadBalancingPolicyTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly DefaultHttpContext _context = new();

    [Fact]
    public void PickDestination_WeightedLeastRequests_FewestInFlightPerUnitOfWeight()
    {
        var destinations = new[] { Weighted("a", 4), Weighted("b", 1), Weighted("c", 1) };
        var cluster = Cluster(destinations);
        var policy = new WeightedLeastRequestsLoadBalancingPolicy(_time);
        Load(destinations[0], 6); // 1.5 per unit of weight
        Load(destinations[1], 2); // 2
        Load(destinations[2], 1); // 1

        Assert.Same(destinations[2], policy.PickDestination(_context, cluster, destinations));

        Load(destinations[2], 1); // 2
        Assert.Same(destinations[0], policy.PickDestination(_context, cluster, destinations));
    }

    [Fact]
    public void PickDestination_WeightedLeastRequests_TiesTakenInTurn()
    {
        var destinations = new[] { Destination("a"), Destination("b"), Destination("c") };
        var cluster = Cluster(destinations);
        var policy = new WeightedLeastRequestsLoadBalancingPolicy(_time);

        var tally = Tally(() => policy.PickDestination(_context, cluster, destinations), 300);

        Assert.Equal([100, 100, 100], destinations.Select(destination => tally[destination.DestinationId]));
    }

    [Fact]
    public void PickDestination_WeightedLeastRequests_EquallyBusyDestinationsTakenInTurn()
    {
        var destinations = new[] { Weighted("a", 2), Destination("b"), Destination("c"), Weighted("d", 2) };
        var cluster = Cluster(destinations);
        var policy = new WeightedLeastRequestsLoadBalancingPolicy(_time);
        Load(destinations[0], 4);
        Load(destinations[1], 2);
        Load(destinations[2], 2);
        Load(destinations[3], 4);

        var tally = Tally(() => policy.PickDestination(_context, cluster, destinations), 400);

        Assert.Equal([100, 100, 100, 100], destinations.Select(destination => tally[destination.DestinationId]));
    }

    [Fact]
    public void PickDestination_WeightedLeastRequests_DestinationInSlowStartCountsWithItsRampedWeight()
    {
        var steady = Destination("steady");
        var returning = Destination("returning", ("SlowStart", "00:00:10"));
        var destinations = new[] { steady, returning };
        var cluster = Cluster(destinations);
        var policy = new WeightedLeastRequestsLoadBalancingPolicy(_time);
        DestinationRuntime.Of(returning).MarkAvailability(false, _time.GetTimestamp());
        DestinationRuntime.Of(returning).MarkAvailability(true, _time.GetTimestamp());
        Load(steady, 2);
        Load(returning, 1);

        // Just back, its weight is a tenth: 1 request is 10 per unit of weight, against 2.
        Assert.Same(steady, policy.PickDestination(_context, cluster, destinations));

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Same(returning, policy.PickDestination(_context, cluster, destinations));
    }
}
