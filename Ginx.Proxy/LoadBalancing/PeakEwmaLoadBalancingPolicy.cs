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

        var now = time.GetTimestamp();
        return Cost(candidates, second, now) < Cost(candidates, first, now)
            ? candidates.Destinations[second]
            : candidates.Destinations[first];
    }

    private double Cost(BalancingCandidates candidates, int index, long now)
    {
        var runtime = candidates.Runtimes[index];
        return runtime.LatencyMs(now, time) * (runtime.InFlight + 1) / candidates.EffectiveWeight(index, now, time);
    }
}
