using Ginx.Proxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds Ginx's steps to a proxy pipeline of one's own.</summary>
public static class GinxReverseProxyApplicationBuilderExtensions
{
    /// <summary>
    /// Picks the destination with the cluster's policy, honouring <c>MaxConns</c>, and records its
    /// latency: the time to the destination's response headers, with or without Ginx's request step
    /// (retries, error answers, the request's record) around it;
    /// reports each attempt to the cluster's passive health policy. Use in place of YARP's
    /// <c>UseLoadBalancing()</c> and <c>UsePassiveHealthChecks()</c>, with <c>AddGinxLoadBalancing()</c>.
    /// </summary>
    public static IReverseProxyApplicationBuilder UseGinxLoadBalancing(this IReverseProxyApplicationBuilder builder)
    {
        builder.UseMiddleware<GinxLoadBalancingMiddleware>();
        return builder;
    }
}
