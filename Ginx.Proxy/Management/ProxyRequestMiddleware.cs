using Ginx.Proxy.Errors;
using Ginx.Proxy.LoadBalancing;
using Ginx.Proxy.Retries;
using Ginx.Proxy.Telemetry;
using Ginx.Proxy.Upstream;
using Yarp.ReverseProxy.Forwarder;

namespace Ginx.Proxy.Management;

/// <summary>
/// The one step of Ginx's proxy pipeline that awaits the rest: it runs the request's attempts
/// (<see cref="RequestRetries"/> decides whether there is another), completes each attempt the
/// balancer placed (<see cref="AttemptFeedback"/>), answers a failure of the proxy's own with a
/// problem (<see cref="ProxyErrorAnswer"/>), and records the request with its final status
/// (<see cref="ProxyRequestRecorder"/>). One step rather than one per feature: each step awaiting
/// the rest of the pipeline was one more async frame and state box per request, together half of
/// what Ginx allocated on top of YARP (see README, "One step").
/// </summary>
internal sealed class ProxyRequestMiddleware(
    RequestDelegate next,
    RequestRetries retries,
    AttemptFeedback feedback,
    ProxyRequestRecorder recorder,
    TimeProvider time,
    ILogger<ProxyRequestMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        // One reading of the clock begins the request, its count in the retry budget and its first
        // attempt: only the retry set-up, session affinity and the pick run before the attempt is sent.
        var started = time.GetTimestamp();
        var attempts = new ProxyAttemptFeature { CompletedOutside = true, BeganAt = started };
        context.Features.Set(attempts);

        // The proxy feature is read through the retry state, not kept in a local of its own: a local
        // read after an await is one more field in this step's state box, allocated with every request.
        var retry = retries.Begin(context, context.GetReverseProxyFeature(), attempts, started);
        IForwarderErrorFeature? error = null;
        var ended = started;
        var faulted = true;
        try
        {
            AttemptResult result;
            while (true)
            {
                var span = ProxyActivitySource.StartAttempt(retry.Proxy.Cluster.Config.ClusterId, retry.Attempt);
                var completed = false;
                try
                {
                    await next(context);
                    completed = true;
                }
                finally
                {
                    ended = time.GetTimestamp();
                    result = feedback.CompleteHeld(context, retry.Proxy, attempts, completed, ended);
                    error = result.Error;
                }

                ProxyActivitySource.StopAttempt(span, context, result);
                if (!retries.TryAgain(context, retry, result))
                {
                    break;
                }

                attempts.BeganAt = time.GetTimestamp();
            }

            // The error as the last attempt's result found it: each further look would be one more missed feature lookup.
            error = RequestRetries.Conclude(context, retry, result);
            await ProxyErrorAnswer.WriteIfFailedAsync(context, error);
            faulted = false;
        }
        catch (Exception exception) when (!context.Response.HasStarted)
        {
            // In place of the exception handler, which proxied requests skip: its own frame cost as
            // much per request as this step's error check.
            await ProxyErrorAnswer.WriteUnexpectedAsync(context, exception, logger);
        }
        finally
        {
            RequestRetries.End(context, retry);

            // An answer passed on as the last attempt left it ended when that attempt did: nothing
            // was written after it, so its stamp serves as the request's end. An error answer was
            // written after it, and takes its own.
            recorder.Record(context, retry.Proxy, attempts.Attempts, started, error is null && !faulted ? ended : time.GetTimestamp(), error, faulted);
        }
    }
}
