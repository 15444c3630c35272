using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.Upstream;

/// <summary>
/// A passive health policy that takes an attempt's result as the balancer has already read it.
/// Through <see cref="IPassiveHealthCheckPolicy.RequestProxied"/> it would read it again from the
/// context: the forwarding error is a feature lookup that misses on every answered request. YARP's
/// own passive-health step still calls <c>RequestProxied</c>.
/// </summary>
internal interface IAttemptResultHealthPolicy : IPassiveHealthCheckPolicy
{
    /// <summary>An attempt on <paramref name="destination"/> came to <paramref name="result"/>.</summary>
    void AttemptEnded(ClusterState cluster, DestinationState destination, AttemptResult result);
}
