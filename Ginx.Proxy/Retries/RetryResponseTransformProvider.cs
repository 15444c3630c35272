using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Ginx.Proxy.Retries;

/// <summary>
/// Holds back an answer whose status <c>RetryOn</c> names and that will be retried: YARP has copied
/// its status and headers to the response but not yet started it, so suppressing the body leaves the response unsent and
/// <see cref="RequestRetries"/> free to clear it and try another destination.
/// </summary>
internal sealed class RetryResponseTransformProvider : ITransformProvider
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context) => context.AddResponseTransform(transform =>
    {
        // Without a response YARP is shaping its own error answer.
        if (transform.ProxyResponse is { } response && transform.HttpContext.Features.Get<RetryState>() is { } retry
            && retry.TryHoldBack((int)response.StatusCode))
        {
            transform.SuppressResponseBody = true;
        }

        return ValueTask.CompletedTask;
    });
}
