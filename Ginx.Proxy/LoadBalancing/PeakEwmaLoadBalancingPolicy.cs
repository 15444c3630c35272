using Ginx.Proxy.Upstream;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Utilities;

namespace Ginx.Proxy.LoadBalancing;

/// <summary>
/// Finagle's and Linkerd's latency-aware balancer: of two distinct random destinations, the one with
/// the lower cost, peak-EWMA latency × (requests in flight + 1) ÷ effective weight. A replica that
/// turns slow takes the peak at once and loses nearly every comparison; its average decays while it
/// is idle, so it is tried again and wins its share back when it is fast.
/// </summary>
internal sealed class PeakEwmaLoadBalancingPolicy(IRandomFactory randomFactory, TimeProvider time) : ILoadBalancingPolicy
{
    public string Name => GinxLoadBalancingPolicies.PeakEwma;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations)
    {
        var count = availableDestinations.Count;
        if (count <= 1)
        {
            return count == 0 ? null : availableDestinations[0];
        }

        var candidates = ClusterBalancingState.Of(cluster).Candidates(cluster, availableDestinations);
        var random = randomFactory.CreateRandomInstance();
        var first = random.Next(count);
        var second = random.Next(count - 1);
        if (second >= first)
        {
            second++;
        }

        var weightTime = candidates.WeightTimestamp(time);
        return Cheaper(candidates, second, first, weightTime) ? candidates.Destinations[second] : candidates.Destinations[first];
    }

    /// <summary>
    /// Whether destination <paramref name="a"/> costs less than <paramref name="b"/> now. Both latencies
    /// decay by the same factor from their samples to now, so only the decay between the two samples
    /// matters: one <see cref="Math.Exp"/>, and no clock read unless a slow start needs one.
    /// </summary>
    private bool Cheaper(BalancingCandidates candidates, int a, int b, long weightTime)
    {
        var costA = Undecayed(candidates, a, weightTime, out var stampA);
        var costB = Undecayed(candidates, b, weightTime, out var stampB);

        // A destination without a sample yet costs 0, and its stamp means nothing.
        return costA == 0 || costB == 0
            ? costA < costB
            : costA < costB * DestinationRuntime.DecayBetween(stampB, stampA, time);
    }

    private double Undecayed(BalancingCandidates candidates, int index, long weightTime, out long stamp)
    {
        var runtime = candidates.Runtimes[index];
        return runtime.RecordedLatencyMs(out stamp) * (runtime.InFlight + 1) / candidates.EffectiveWeight(index, weightTime, time);
    }
}
