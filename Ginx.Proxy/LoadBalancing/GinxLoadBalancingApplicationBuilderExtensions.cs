using Ginx.Proxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds Ginx's load-balancing step to the proxy pipeline.</summary>
public static class GinxLoadBalancingApplicationBuilderExtensions
{
    /// <summary>
    /// Picks the destination with the cluster's policy, honouring <c>MaxConns</c>, and records its
    /// latency. Use in place of YARP's <c>UseLoadBalancing()</c>. The latency is the time to the
    /// destination's response headers when Ginx's retry step runs before this one, as in
    /// <c>MapGinxProxy</c>'s pipeline; without it, the whole exchange.
    /// </summary>
    public static IReverseProxyApplicationBuilder UseGinxLoadBalancing(this IReverseProxyApplicationBuilder builder)
    {
        builder.UseMiddleware<GinxLoadBalancingMiddleware>();
        return builder;
    }
}
