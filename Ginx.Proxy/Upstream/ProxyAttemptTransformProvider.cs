using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Ginx.Proxy.Upstream;

/// <summary>
/// Keeps every request's <see cref="ProxyAttemptFeature"/>: YARP runs the request transforms once
/// for each request it sends to a destination, and the response transforms once the destination's
/// status and headers arrive, before any body is copied. On every route, so whether the retry step
/// runs or not, the balancer's latency and the early-answer rule see the same facts. The response
/// transform also asks the feature's <see cref="ProxyAttemptFeature.AnswerHold"/> whether to hold the
/// answer back: suppressing the body leaves the response unsent, free to be cleared for another attempt.
/// </summary>
internal sealed class ProxyAttemptTransformProvider(TimeProvider time) : ITransformProvider
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        context.AddRequestTransform(transform =>
        {
            var features = transform.HttpContext.Features;
            var attempts = features.Get<ProxyAttemptFeature>();
            if (attempts is null)
            {
                attempts = new ProxyAttemptFeature();
                features.Set(attempts);
            }

            attempts.Started();
            return ValueTask.CompletedTask;
        });

        context.AddResponseTransform(transform =>
        {
            // Without a response YARP is shaping its own error answer.
            if (transform.ProxyResponse is { } response && transform.HttpContext.Features.Get<ProxyAttemptFeature>() is { } attempts)
            {
                var status = (int)response.StatusCode;
                attempts.Answered(status, time.GetTimestamp());
                if (attempts.AnswerHold?.TryHoldBack(status) == true)
                {
                    transform.SuppressResponseBody = true;
                }
            }

            return ValueTask.CompletedTask;
        });
    }
}
