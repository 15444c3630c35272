using System.Globalization;
using Ginx.Proxy.Upstream;
using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.LoadBalancing;

/// <summary>
/// A ketama ring, as nginx's <c>hash … consistent</c> builds it: every destination owns
/// <see cref="PointsPerWeight"/> × its weight points on a 64-bit circle, and a key belongs to the
/// first point at or after its hash. Removing a destination moves only its own keys; adding one takes
/// about 1/(N+1) of them. The ring covers every destination of the cluster, available or not, so a
/// destination turning unhealthy only sends its keys to the next point's owner instead of reshuffling.
/// </summary>
internal sealed class HashRing
{
    /// <summary>Points per unit of weight: nginx's ketama count, which keeps shares within a few percent.</summary>
    public const int PointsPerWeight = 160;

    /// <summary>Caps the ring's size (and build time) for large weights; shares scale down together.</summary>
    private const int MaxPoints = 200_000;

    /// <summary>Points per bucket of <see cref="_buckets"/> on average: few enough to scan instead of searching.</summary>
    private const int PointsPerBucket = 4;

    private readonly ulong[] _points;
    private readonly DestinationState[] _owners;

    // The ring's points split by the top bits of their hash: _buckets[b] is the first point whose top
    // bits are b or more. A key's hash then finds its point by scanning a handful of points, rather
    // than by a binary search over a ring that, for 100 destinations, is larger than the L2 cache.
    private readonly int[] _buckets;
    private readonly int _bucketShift;

    public HashRing(IReadOnlyList<DestinationState> destinations, ClusterModel clusterModel)
    {
        Destinations = destinations;
        ClusterModel = clusterModel;
        Key = HashKey.Of(clusterModel.Config.Metadata);

        var totalWeight = 0L;
        for (var i = 0; i < destinations.Count; i++)
        {
            totalWeight += DestinationSettings.Of(destinations[i]).Weight;
        }

        var scale = Math.Min(1.0, MaxPoints / (double)Math.Max(1, totalWeight * PointsPerWeight));
        var points = new List<ulong>();
        var owners = new List<DestinationState>();
        for (var i = 0; i < destinations.Count; i++)
        {
            var destination = destinations[i];
            var count = Math.Max(1, (int)(DestinationSettings.Of(destination).Weight * PointsPerWeight * scale));
            for (var point = 0; point < count; point++)
            {
                points.Add(StableHash.Of(string.Create(CultureInfo.InvariantCulture, $"{destination.DestinationId}-{point}")));
                owners.Add(destination);
            }
        }

        _points = [.. points];
        _owners = [.. owners];
        Array.Sort(_points, _owners);

        var bucketBits = Math.Max(1, (int)Math.Ceiling(Math.Log2(Math.Max(1, _points.Length / PointsPerBucket))));
        _bucketShift = 64 - bucketBits;
        _buckets = new int[(1 << bucketBits) + 1];
        var next = 0;
        for (var bucket = 0; bucket < _buckets.Length; bucket++)
        {
            while (next < _points.Length && (int)(_points[next] >> _bucketShift) < bucket)
            {
                next++;
            }

            _buckets[bucket] = next;
        }
    }

    /// <summary>The destinations the ring was built over; YARP replaces the list when any of them changes.</summary>
    public IReadOnlyList<DestinationState> Destinations { get; }

    /// <summary>The cluster configuration it was built for, whose <see cref="HashKey"/> it uses.</summary>
    public ClusterModel ClusterModel { get; }

    public HashKey Key { get; }

    /// <summary>The owner of <paramref name="hash"/>, or, when that one is not in <paramref name="available"/>, the next owner round the ring that is.</summary>
    public DestinationState? Find(ulong hash, IReadOnlyList<DestinationState> available)
    {
        var length = _points.Length;
        if (length == 0)
        {
            return null;
        }

        var start = FirstPointAtOrAfter(hash);
        // Available destinations are some of the cluster's; as many as the ring has means all of them,
        // which spares the search through the list in the common case.
        var everyOneAvailable = available.Count >= Destinations.Count;
        DestinationState? rejected = null;
        for (var step = 0; step < length; step++)
        {
            var owner = _owners[(start + step) % length];
            if (ReferenceEquals(owner, rejected))
            {
                continue;
            }

            if (everyOneAvailable || Contains(available, owner))
            {
                return owner;
            }

            rejected = owner;
        }

        return null;
    }

    /// <summary>The ring's points in order, each a destination's.</summary>
    public ReadOnlySpan<ulong> Points => _points;

    /// <summary>The index in <see cref="Points"/> of the first point at or after <paramref name="hash"/>; past the last point, the count of points (where the ring wraps round to the first).</summary>
    public int FirstPointAtOrAfter(ulong hash)
    {
        // In the hash's bucket, or else the next bucket's first point.
        var bucket = (int)(hash >> _bucketShift);
        var index = _buckets[bucket];
        var end = _buckets[bucket + 1];
        while (index < end && _points[index] < hash)
        {
            index++;
        }

        return index;
    }

    private static bool Contains(IReadOnlyList<DestinationState> destinations, DestinationState destination)
    {
        for (var i = 0; i < destinations.Count; i++)
        {
            if (ReferenceEquals(destinations[i], destination))
            {
                return true;
            }
        }

        return false;
    }
}
