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

        var best = -1;
        var bestLoad = 0.0;
        var bestWeight = 1.0;
        for (var step = 0; step < count; step++)
        {
            var i = start + step < count ? start + step : start + step - count;
            var load = (double)candidates.Runtimes[i].InFlight;
            var weight = candidates.EffectiveWeight(i, now, time);

            // load / weight < bestLoad / bestWeight, without dividing.
            if (best < 0 || load * bestWeight < bestLoad * weight)
            {
                best = i;
                bestLoad = load;
                bestWeight = weight;
            }
        }

        return candidates.Destinations[best];
    }
}
