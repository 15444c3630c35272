using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.LoadBalancing;

/// <summary>
/// nginx's smooth weighted round robin: every pick adds each destination's effective weight to its
/// running weight, takes the highest, and takes the total back from it. Weights 5, 1, 1 give
/// <c>a a b a c a a</c>, spread out rather than <c>a a a a a b c</c>.
/// </summary>
/// <remarks>
/// With fixed weights the sequence repeats every Σweights picks, so for the list YARP publishes it is
/// computed once (<see cref="SmoothWeightedSchedule"/>) and a pick takes the next ticket from it:
/// O(1), lock-free, and exact under concurrency. While a destination is in slow start (its weight
/// changes with time), and for a list narrowed for one request, a pick runs nginx's pass itself: it
/// reads and writes every running weight, so it holds a per-cluster <see cref="Lock"/> for that one
/// pass, never across an await, as nginx does.
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
        if (candidates.Schedule is { } schedule)
        {
            return candidates.Destinations[schedule.Next()];
        }

        var now = candidates.WeightTimestamp(time);
        var running = candidates.RunningWeights;

        var best = 0;
        lock (state.SmoothLock)
        {
            var total = 0.0;
            var bestWeight = double.NegativeInfinity;
            for (var i = 0; i < running.Length; i++)
            {
                var weight = candidates.EffectiveWeight(i, now, time);
                var current = running[i].Value + weight;
                running[i].Value = current;
                total += weight;
                if (current > bestWeight)
                {
                    best = i;
                    bestWeight = current;
                }
            }

            running[best].Value -= total;
        }

        return candidates.Destinations[best];
    }
}
