using Ginx.Proxy.LoadBalancing;
using static Ginx.Tests.LoadBalancing.BalancingTestCluster;

namespace Ginx.Tests.LoadBalancing;

public sealed class HashRingTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(100)]
    public void FirstPointAtOrAfter_AnyHash_IsWhatABinarySearchOfTheRingFinds(int destinations)
    {
        var cluster = Cluster(Enumerable.Range(0, destinations).Select(i => Weighted($"d-{i}", 1 + (i % 3))).ToArray());
        var ring = new HashRing(cluster.DestinationsState.AllDestinations, cluster.Model);
        var points = ring.Points.ToArray();

        foreach (var hash in Probes(points))
        {
            Assert.Equal(LowerBound(points, hash), ring.FirstPointAtOrAfter(hash));
        }
    }

    // The ring's own points and their neighbours (where an off-by-one would show), its ends, and random hashes.
    private static IEnumerable<ulong> Probes(ulong[] points)
    {
        ulong[] ends = [0, 1, ulong.MaxValue - 1, ulong.MaxValue];
        var random = new Random(42);
        return ends
            .Concat(points.SelectMany(point => new[] { point - 1, point, point + 1 }))
            .Concat(Enumerable.Range(0, 10_000).Select(_ => (ulong)random.NextInt64() * 2 + (ulong)random.Next(2)));
    }

    private static int LowerBound(ulong[] points, ulong hash)
    {
        var index = Array.BinarySearch(points, hash);
        if (index < 0)
        {
            return ~index;
        }

        while (index > 0 && points[index - 1] == hash)
        {
            index--;
        }

        return index;
    }
}
