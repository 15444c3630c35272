using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.LoadBalancing;

/// <summary>
/// nginx's <c>least_conn</c> with weights: the destination with the fewest requests in flight per
/// unit of effective weight. The scan starts one place further on every pick, so ties are taken in
/// turn rather than always by the first destination.
/// </summary>
internal sealed class WeightedLeastRequestsLoadBalancingPolicy(TimeProvider time) : ILoadBalancingPolicy
{
    public string Name => GinxLoadBalancingPolicies.WeightedLeastRequests;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations)
    {
        var count = availableDestinations.Count;
        if (count == 0)
        {
            return null;
        }

        var state = ClusterBalancingState.Of(cluster);
        var candidates = state.Candidates(cluster, availableDestinations);
        var now = candidates.WeightTimestamp(time);
        var start = state.NextTurn() % count;

        // From the turn's start to the end, then round from the beginning: a strictly lower load wins,
        // so of equals the first met in this turn's order is taken.
        var best = start;
        var bestLoad = (double)candidates.Runtimes[start].InFlight;
        var bestWeight = candidates.EffectiveWeight(start, now, time);
        Scan(candidates, start + 1, count, now, ref best, ref bestLoad, ref bestWeight);
        Scan(candidates, 0, start, now, ref best, ref bestLoad, ref bestWeight);

        return candidates.Destinations[best];
    }

    private void Scan(BalancingCandidates candidates, int from, int to, long now, ref int best, ref double bestLoad, ref double bestWeight)
    {
        var runtimes = candidates.Runtimes;
        for (var i = from; i < to; i++)
        {
            var load = (double)runtimes[i].InFlight;
            var weight = candidates.EffectiveWeight(i, now, time);

            // load / weight < bestLoad / bestWeight, without dividing.
            if (load * bestWeight < bestLoad * weight)
            {
                best = i;
                bestLoad = load;
                bestWeight = weight;
            }
        }
    }
}
