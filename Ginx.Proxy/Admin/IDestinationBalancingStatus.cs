using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.Admin;

/// <summary>
/// What the balancer knows about a destination that the status API shows. The load-balancing
/// policies own these numbers; the status API only reads them through this interface.
/// </summary>
internal interface IDestinationBalancingStatus
{
    /// <summary>The destination's weight in its cluster's balancing.</summary>
    double Weight(ClusterState cluster, DestinationState destination);

    /// <summary>The smoothed latency the balancer sees, in milliseconds; null when it tracks none.</summary>
    double? EwmaLatencyMs(ClusterState cluster, DestinationState destination);
}
