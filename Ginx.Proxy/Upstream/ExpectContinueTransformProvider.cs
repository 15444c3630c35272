using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Ginx.Proxy.Upstream;

/// <summary>
/// Answers a client's <c>Expect: 100-continue</c> at the proxy, as nginx does, instead of passing
/// it on: forwarded, the proxy's client held the body back until the destination said 100, or for
/// a second when it never did. Kestrel sends the client its 100 when the forwarder first reads the
/// body, so the body flows at once; a destination that answers before reading it (a 401, a 413)
/// still has its answer reach the client.
/// </summary>
internal sealed class ExpectContinueTransformProvider : ITransformProvider
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context) => context.AddRequestTransform(static transform =>
    {
        if (transform.ProxyRequest.Headers.ExpectContinue == true)
        {
            transform.ProxyRequest.Headers.ExpectContinue = false;
            transform.ProxyRequest.Headers.Expect.Clear();
        }

        return ValueTask.CompletedTask;
    });
}
