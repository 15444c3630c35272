using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.LoadBalancing;

/// <summary>
/// nginx's <c>hash … consistent</c>: the request's <see cref="HashKey"/> picks a destination on a
/// weighted <see cref="HashRing"/>, so the same key keeps landing on the same destination while it is
/// available. A request without the key has nothing to be sticky to and is balanced by weighted
/// round robin.
/// </summary>
internal sealed class ConsistentHashLoadBalancingPolicy(TimeProvider time) : ILoadBalancingPolicy
{
    private readonly WeightedRoundRobinLoadBalancingPolicy _keyless = new(time);

    public string Name => GinxLoadBalancingPolicies.ConsistentHash;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations)
    {
        if (availableDestinations.Count == 0)
        {
            return null;
        }

        var ring = ClusterBalancingState.Of(cluster).Ring(cluster);
        return ring.Key.TryHash(context, out var hash) && ring.Find(hash, availableDestinations) is { } destination
            ? destination
            : _keyless.PickDestination(context, cluster, availableDestinations);
    }
}
