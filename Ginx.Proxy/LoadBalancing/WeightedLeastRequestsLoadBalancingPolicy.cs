using Ginx.Proxy.Upstream;
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
        var least = new LeastLoad(start, runtimes[start].InFlight, weights[start]);

        // Two straight passes, start to end and then 0 to start, rather than one that wraps round: with
        // no index arithmetic and no bounds check per destination, a busy scan costs a third less.
        least.Scan(runtimes.AsSpan(start + 1), weights[(start + 1)..], start + 1);
        least.Scan(runtimes.AsSpan(0, start), weights[..start], 0);
        return least.Index;
    }

    /// <summary>The least loaded destination met so far in a scan: its index, requests in flight and weight.</summary>
    private struct LeastLoad(int index, double load, double weight)
    {
        public int Index = index;
        private double _load = load;
        private double _weight = weight;

        /// <summary>Goes on through <paramref name="runtimes"/>, whose first is candidate <paramref name="offset"/>, until one is idle.</summary>
        public void Scan(ReadOnlySpan<DestinationRuntime> runtimes, ReadOnlySpan<double> weights, int offset)
        {
            weights = weights[..runtimes.Length];
            for (var i = 0; i < runtimes.Length && _load > 0; i++)
            {
                double load = runtimes[i].InFlight;
                var weight = weights[i];

                // load / weight < _load / _weight, without dividing.
                if (load * _weight < _load * weight)
                {
                    Index = offset + i;
                    _load = load;
                    _weight = weight;
                }
            }
        }
    }
}
