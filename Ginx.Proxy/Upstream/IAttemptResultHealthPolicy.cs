using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.Upstream;

/// <summary>
/// A passive health policy that takes an attempt's result as the balancer has already read it, with
/// the time the attempt ended. Through <see cref="IPassiveHealthCheckPolicy.RequestProxied"/> it
/// would read both again: the forwarding error is a feature lookup that misses on every answered
/// request, and the clock one more read. YARP's own passive-health step still calls <c>RequestProxied</c>.
/// </summary>
internal interface IAttemptResultHealthPolicy : IPassiveHealthCheckPolicy
{
    /// <summary>An attempt on <paramref name="destination"/> came to <paramref name="result"/> and ended at <paramref name="timestamp"/>.</summary>
    void AttemptEnded(ClusterState cluster, DestinationState destination, AttemptResult result, long timestamp);
}
