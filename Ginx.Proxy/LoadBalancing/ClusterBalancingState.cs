using System.Runtime.CompilerServices;
using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.LoadBalancing;

/// <summary>
/// Ginx's balancing state for one cluster, kept beside YARP's <see cref="ClusterState"/> in a
/// <see cref="ConditionalWeakTable{TKey, TValue}"/> so it goes when the cluster does.
/// </summary>
internal sealed class ClusterBalancingState
{
    private static readonly ConditionalWeakTable<ClusterState, ClusterBalancingState> Table = new();

    private volatile BalancingCandidates? _published;
    private volatile HashRing? _ring;
    private int _turn;

    public static ClusterBalancingState Of(ClusterState cluster) =>
        Table.GetValue(cluster, static _ => new ClusterBalancingState());

    /// <summary>Serialises smooth weighted round robin, whose every pick reads and writes every running weight.</summary>
    public Lock SmoothLock { get; } = new();

    /// <summary>A number that advances on every call, for taking ties in turn.</summary>
    public int NextTurn() => Interlocked.Increment(ref _turn) & int.MaxValue;

    /// <summary>
    /// <paramref name="available"/> with settings and runtime state resolved. YARP publishes a new list
    /// whenever health, destinations or their configuration change, so the resolved copy of the
    /// published list is cached on its identity. Any other list (one narrowed for a retry, or to the
    /// destinations below their MaxConns) is resolved for this pick alone.
    /// </summary>
    public BalancingCandidates Candidates(ClusterState cluster, IReadOnlyList<DestinationState> available)
    {
        var published = _published;
        if (published is not null && ReferenceEquals(published.Destinations, available))
        {
            return published;
        }

        var isPublished = ReferenceEquals(available, cluster.DestinationsState.AvailableDestinations);
        var candidates = new BalancingCandidates(available, isPublished);
        if (isPublished)
        {
            _published = candidates;
        }

        return candidates;
    }

    /// <summary>The hash ring over every destination of the cluster, rebuilt when they or the cluster's configuration change.</summary>
    public HashRing Ring(ClusterState cluster)
    {
        var all = cluster.DestinationsState.AllDestinations;
        var model = cluster.Model;
        var ring = _ring;
        if (ring is null || !ReferenceEquals(ring.Destinations, all) || !ReferenceEquals(ring.ClusterModel, model))
        {
            ring = new HashRing(all, model);
            _ring = ring;
        }

        return ring;
    }
}
