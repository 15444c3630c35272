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
        var start = state.NextTurn() % count;
        if (candidates.FixedWeights is { } weights)
        {
            return candidates.Destinations[LeastLoaded(candidates.Runtimes, weights, start)];
        }

        // Weights that ramp up (slow start) are computed once per pick, on the stack for any sane cluster.
        var ramped = count <= MaxStackWeights ? stackalloc double[count] : new double[count];
        candidates.EffectiveWeights(candidates.WeightTimestamp(time), time, ramped);
        return candidates.Destinations[LeastLoaded(candidates.Runtimes, ramped, start)];
    }

    private const int MaxStackWeights = 256;

    /// <summary>
    /// The index of the destination with the lowest load per weight, scanning from <paramref name="start"/>
    /// round to just before it: a strictly lower load wins, so of equals the first met is taken. Nothing
    /// is lower than an idle destination, so the first idle one ends the scan: while there is spare
    /// capacity a pick costs a few reads, not one per destination.
    /// </summary>
    private static int LeastLoaded(DestinationRuntime[] runtimes, ReadOnlySpan<double> weights, int start)
    {
        var count = runtimes.Length;
        var best = start;
        double bestLoad = runtimes[start].InFlight;
        var bestWeight = weights[start];
        for (var step = 1; step < count && bestLoad > 0; step++)
        {
            var i = start + step;
            if (i >= count)
            {
                i -= count;
            }

            double load = runtimes[i].InFlight;
            var weight = weights[i];

            // load / weight < bestLoad / bestWeight, without dividing.
            if (load * bestWeight < bestLoad * weight)
            {
                best = i;
                bestLoad = load;
                bestWeight = weight;
            }
        }

        return best;
    }
}
