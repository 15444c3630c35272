using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Ginx.Proxy.Upstream;

/// <summary>
/// Answers a client's <c>Expect: 100-continue</c> at the proxy, as nginx does: Kestrel sends the
/// client its 100 when the forwarder first reads the body, and the forwarded request goes without
/// the expectation. Forwarded, it would make the forwarder's client wait up to a second for a 100
/// from a destination that may never send one before reading a byte of the body, and the client
/// would wait with it. A destination may still answer before reading the body (401, 413): the
/// client gets that answer.
/// </summary>
internal sealed class ExpectContinueTransformProvider : ITransformProvider
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context) => context.AddRequestHeaderRemove(HeaderNames.Expect);
}
