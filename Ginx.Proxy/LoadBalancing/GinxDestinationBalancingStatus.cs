using Ginx.Proxy.Admin;
using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.LoadBalancing;

/// <summary>
/// Feeds the status API what Ginx's balancing actually uses: the effective weight (below the
/// configured one during a slow start) and the peak-EWMA latency the middleware records for every
/// policy.
/// </summary>
internal sealed class GinxDestinationBalancingStatus(TimeProvider time) : IDestinationBalancingStatus
{
    public double Weight(ClusterState cluster, DestinationState destination) =>
        DestinationBalancingStatus.Of(destination, time).EffectiveWeight;

    public double? EwmaLatencyMs(ClusterState cluster, DestinationState destination) =>
        DestinationBalancingStatus.Of(destination, time).LatencyMs;
}
