using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.LoadBalancing;

/// <summary>
/// nginx's smooth weighted round robin: every pick adds each destination's effective weight to its
/// running weight, takes the highest, and takes the total back from it. Weights 5, 1, 1 give
/// <c>a a b a c a a</c>, spread out rather than <c>a a a a a b c</c>.
/// </summary>
/// <remarks>
/// Every pick reads and writes every running weight, so picks are serialised by a per-cluster
/// <see cref="Lock"/> held for one pass over the destinations, never across an await. A lock-free
/// version would have to retry the whole pass on contention, and could still not promise the exact
/// sequence; nginx takes a lock here too.
/// </remarks>
internal sealed class WeightedRoundRobinLoadBalancingPolicy(TimeProvider time) : ILoadBalancingPolicy
{
    public string Name => GinxLoadBalancingPolicies.WeightedRoundRobin;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations)
    {
        if (availableDestinations.Count == 0)
        {
            return null;
        }

        var state = ClusterBalancingState.Of(cluster);
        var candidates = state.Candidates(cluster, availableDestinations);
        var now = candidates.WeightTimestamp(time);
        var runtimes = candidates.Runtimes;

        var best = 0;
        lock (state.SmoothLock)
        {
            var total = 0.0;
            var bestWeight = double.NegativeInfinity;
            for (var i = 0; i < runtimes.Length; i++)
            {
                var runtime = runtimes[i];
                var weight = candidates.EffectiveWeight(i, now, time);
                var current = runtime.SmoothCurrentWeight + weight;
                runtime.SmoothCurrentWeight = current;
                total += weight;
                if (current > bestWeight)
                {
                    best = i;
                    bestWeight = current;
                }
            }

            runtimes[best].SmoothCurrentWeight -= total;
        }

        return candidates.Destinations[best];
    }
}
