using Ginx.Proxy.LoadBalancing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using static Ginx.Tests.LoadBalancing.BalancingTestCluster;

namespace Ginx.Tests.LoadBalancing;

public sealed class WeightedRoundRobinLoadBalancingPolicyTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly DefaultHttpContext _context = new();

    // Published: the list YARP publishes, served from the precomputed cycle. Narrowed: a list made for
    // one request (a retry's), served by the locked pass.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void PickDestination_WeightsFiveOneOne_EveryCycleOfSevenIsNginxSequence(bool published)
    {
        var destinations = new[] { Weighted("a", 5), Weighted("b", 1), Weighted("c", 1) };
        var cluster = Cluster(destinations);
        var policy = new WeightedRoundRobinLoadBalancingPolicy(_time);

        var picks = new List<string>();
        for (var i = 0; i < 7_000; i++)
        {
            picks.Add(policy.PickDestination(_context, cluster, published ? destinations : [.. destinations])!.DestinationId);
        }

        for (var cycle = 0; cycle < 1_000; cycle++)
        {
            Assert.Equal(["a", "a", "b", "a", "c", "a", "a"], picks.Skip(cycle * 7).Take(7));
        }

        Assert.Equal(5_000, picks.Count(id => id == "a"));
        Assert.Equal(1_000, picks.Count(id => id == "b"));
        Assert.Equal(1_000, picks.Count(id => id == "c"));
    }

    [Fact]
    public void PickDestination_EqualWeights_IsPlainRoundRobin()
    {
        var destinations = new[] { Destination("a"), Destination("b"), Destination("c") };
        var cluster = Cluster(destinations);
        var policy = new WeightedRoundRobinLoadBalancingPolicy(_time);

        var picks = Enumerable.Range(0, 9).Select(_ => policy.PickDestination(_context, cluster, destinations)!.DestinationId);

        Assert.Equal(["a", "b", "c", "a", "b", "c", "a", "b", "c"], picks);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task PickDestination_ConcurrentPicks_CountsStayExact(bool published)
    {
        var destinations = new[] { Weighted("a", 5), Weighted("b", 1), Weighted("c", 1) };
        var cluster = Cluster(destinations);
        var policy = new WeightedRoundRobinLoadBalancingPolicy(_time);
        var counts = new int[3];

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 7_000; i++)
            {
                var picked = policy.PickDestination(new DefaultHttpContext(), cluster, published ? destinations : [.. destinations])!;
                Interlocked.Increment(ref counts[Array.IndexOf(destinations, picked)]);
            }
        }, TestContext.Current.CancellationToken)));

        Assert.Equal([20_000, 4_000, 4_000], counts);
    }

    [Fact]
    public void PickDestination_OneUnavailable_SpreadsOverTheOthersByWeight()
    {
        var destinations = new[] { Weighted("a", 3), Weighted("b", 1), Weighted("c", 1) };
        var cluster = Cluster(destinations);
        var policy = new WeightedRoundRobinLoadBalancingPolicy(_time);
        var available = new[] { destinations[0], destinations[2] };

        var tally = Tally(() => policy.PickDestination(_context, cluster, available), 400);

        Assert.Equal(300, tally["a"]);
        Assert.Equal(100, tally["c"]);
        Assert.False(tally.ContainsKey("b"));
    }
}
