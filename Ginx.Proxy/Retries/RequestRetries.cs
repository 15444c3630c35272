using System.Runtime.CompilerServices;
using Ginx.Proxy.Configuration;
using Ginx.Proxy.Telemetry;
using Ginx.Proxy.Upstream;
using Ginx.Proxy.Utilities;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.Retries;

/// <summary>
/// nginx's <c>proxy_next_upstream</c> for YARP: what Ginx's request step decides before the first
/// attempt, after each one and once the last has ended. The rest of the proxy pipeline (balancing,
/// forwarding) runs once per attempt, each time over the destinations not yet tried, until one
/// answers well, the tries run out, or retrying would be unsafe. A request is sent again only if it
/// may be: an idempotent method with a body that was buffered (or none), or any request whose
/// connection was never established. A response that has started is never retried. Plain calls
/// rather than a step of its own: each step awaits the rest of the pipeline, one more async frame
/// per request (see README, "One step").
/// </summary>
internal sealed partial class RequestRetries(
    ClusterSettingsCache<RetryOptions> settings,
    ProxyMetrics metrics,
    TimeProvider time,
    ILogger<RequestRetries> logger)
{
    private readonly ConditionalWeakTable<ClusterState, RetryBudget> _budgets = new();
    private readonly ConditionalWeakTable<ClusterState, RetryBudget>.CreateValueCallback _createBudget = _ => new RetryBudget(time);

    /// <summary>
    /// Before the first attempt: counts the request, which began at <paramref name="timestamp"/>, in
    /// its cluster's retry budget, keeps a copy of a body that may have to be sent again, and returns
    /// the request's <see cref="RetryState"/>, kept on its <paramref name="attempts"/> for the response
    /// transform to hold back an answer <c>RetryOn</c> names.
    /// </summary>
    public RetryState Begin(HttpContext context, IReverseProxyFeature proxy, ProxyAttemptFeature attempts, long timestamp)
    {
        var options = settings.For(proxy.Cluster.Config);
        var budget = _budgets.GetValue(proxy.Route.Cluster!, _createBudget);
        budget.RecordRequest(options.BudgetWindow, timestamp);

        var request = context.Request;
        var idempotent = IsIdempotent(request.Method);
        var hasBody = HasBody(request);
        // A POST is sent again only if it never reached a destination, and then none of its body was
        // read: only an idempotent request needs a copy of its body.
        var body = idempotent && hasBody ? KeepForReplay(request, options.MaxReplayableBodyBytes) : null;
        var retry = new RetryState(options, budget, proxy, idempotent, hasBody, body);
        attempts.AnswerHold = retry;
        return retry;
    }

    /// <summary>
    /// After an attempt that came to <paramref name="result"/>: whether to make another. If so, it is prepared: the destinations narrowed to
    /// those not tried yet, the failed attempt's answer cleared, the body rewound. If not, the
    /// attempt's answer stands as the request's.
    /// </summary>
    public bool TryAgain(HttpContext context, RetryState retry, AttemptResult result)
    {
        var proxy = retry.Proxy;
        var failed = proxy.ProxiedDestination;
        retry.Ended(result);
        if (failed is null || !ShouldRetry(context, retry, result, failed))
        {
            retry.Settle(result);
            if (retry.HeldBack != RetryConditions.None)
            {
                DropBodyHeaders(context.Response);
            }

            return false;
        }

        var clusterId = proxy.Cluster.Config.ClusterId;
        var reason = retry.HeldBack != RetryConditions.None ? retry.HeldBack : result.Condition;
        LogRetrying(logger, clusterId, failed.DestinationId, reason, retry.Attempt + 1);
        metrics.RetryAttempted(clusterId, failed, RetryConditionNames.Name(reason));
        proxy.AvailableDestinations = retry.NextAttempt(failed);
        proxy.ProxiedDestination = null;
        context.Response.Clear();
        context.Features.Set<IForwarderErrorFeature>(null);
        retry.Body?.Rewind();
        return true;
    }

    /// <summary>
    /// Once the <paramref name="last"/> attempt has ended with an answer: a request no destination
    /// accepted a connection for is answered as a cluster unavailable rather than misbehaving.
    /// Returns the request's forwarding error: that one, or the last attempt's.
    /// </summary>
    public static IForwarderErrorFeature? Conclude(HttpContext context, RetryState retry, AttemptResult last)
    {
        if (!retry.EveryAttemptUnreachable || retry.Proxy.ProxiedDestination is null || context.Response.HasStarted)
        {
            return last.Error;
        }

        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        var unreachable = new ClusterUnreachableError(last.Error?.Exception);
        context.Features.Set<IForwarderErrorFeature>(unreachable);
        return unreachable;
    }

    /// <summary>However the request ended: the client's own body back in place, and the copy's buffers returned.</summary>
    public static void End(HttpContext context, RetryState retry)
    {
        if (retry.Body is { } body)
        {
            context.Request.Body = body.Client;
            body.Dispose();
        }
    }

    private static bool ShouldRetry(HttpContext context, RetryState retry, AttemptResult result, DestinationState failed)
    {
        if (retry.HeldBack != RetryConditions.None)
        {
            // Held back while the body may still have been arriving: a read that completed since can
            // have outgrown what is kept. And a client that has left needs no other attempt. The
            // budget is spent here, on a retry that is made, not where the answer was held back.
            return retry.Replayable && !context.RequestAborted.IsCancellationRequested && retry.TryAcquireRetry();
        }

        if (result.Verdict != AttemptVerdict.TransportFailure
            || context.Response.HasStarted
            || context.RequestAborted.IsCancellationRequested
            || (retry.Options.Conditions & result.Condition) == 0
            || !retry.CanTryAnother(failed))
        {
            return false;
        }

        var safeToRepeat = result.NeverReachedDestination || (retry.Idempotent && retry.Replayable);
        return safeToRepeat && retry.TryAcquireRetry();
    }

    // An answer held back for an attempt that cannot be made: its body was never copied, so it goes
    // back without the headers that describe that body, and with the rest (Retry-After, for one).
    private static void DropBodyHeaders(HttpResponse response)
    {
        foreach (var name in response.Headers.Keys.ToArray())
        {
            if (name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
            {
                response.Headers.Remove(name);
            }
        }

        response.Headers.TransferEncoding = default;
    }

    // RFC 9110 §9.2.2; nginx likewise never repeats POST, LOCK or PATCH once sent.
    private static bool IsIdempotent(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)
        || HttpMethods.IsTrace(method) || HttpMethods.IsPut(method) || HttpMethods.IsDelete(method);

    private static bool HasBody(HttpRequest request) =>
        request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody != false && request.ContentLength != 0;

    /// <summary>
    /// Keeps a copy of a body that may fit under <paramref name="limit"/> as it streams, so it can be
    /// sent again; one whose Content-Length is already larger streams untouched (and so can be
    /// retried only if it was never sent).
    /// </summary>
    private static ReplayableRequestBody? KeepForReplay(HttpRequest request, int limit)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        var body = new ReplayableRequestBody(request.Body, request.ContentLength, limit);
        request.Body = body;
        return body;
    }

    [LoggerMessage(EventId = EventIds.Retrying, Level = LogLevel.Debug,
        Message = "Retrying a request of cluster '{ClusterId}' after {Condition} from '{DestinationId}' (attempt {Attempt})")]
    private static partial void LogRetrying(ILogger logger, string clusterId, string destinationId, RetryConditions condition, int attempt);

    private sealed class ClusterUnreachableError(Exception? exception) : IForwarderErrorFeature
    {
        public ForwarderError Error => ForwarderError.NoAvailableDestinations;

        public Exception? Exception => exception;
    }
}
