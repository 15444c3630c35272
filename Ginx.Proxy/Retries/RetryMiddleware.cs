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
/// nginx's <c>proxy_next_upstream</c> for YARP: runs the rest of the proxy pipeline (balancing,
/// passive health, forwarding) once per attempt, each time over the destinations not yet tried,
/// until one answers well, the tries run out, or retrying would be unsafe. A request is sent again
/// only if it may be: an idempotent method with a body that was buffered (or none), or any request
/// whose connection was never established. A response that has started is never retried.
/// </summary>
internal sealed partial class RetryMiddleware(
    RequestDelegate next,
    ClusterSettingsCache<RetryOptions> settings,
    ProxyMetrics metrics,
    TimeProvider time,
    ILogger<RetryMiddleware> logger)
{
    private readonly ConditionalWeakTable<ClusterState, RetryBudget> _budgets = new();
    private readonly ConditionalWeakTable<ClusterState, RetryBudget>.CreateValueCallback _createBudget = _ => new RetryBudget(time);

    public async Task InvokeAsync(HttpContext context)
    {
        var proxy = context.GetReverseProxyFeature();
        var cluster = proxy.Route.Cluster!;
        var options = settings.For(proxy.Cluster.Config);
        var budget = _budgets.GetValue(cluster, _createBudget);
        budget.RecordRequest(options.BudgetWindow);

        var request = context.Request;
        var idempotent = IsIdempotent(request.Method);
        var hasBody = HasBody(request);
        // A POST is sent again only if it never reached a destination, and then none of its body was
        // read: only an idempotent request needs a copy of its body.
        var body = idempotent && hasBody ? KeepForReplay(request, options.MaxReplayableBodyBytes) : null;
        var retry = new RetryState(options, budget, proxy, idempotent, hasBody, body);
        context.Features.Set(retry);
        try
        {
            var everyAttemptUnreachable = true;
            while (true)
            {
                var span = ProxyActivitySource.StartAttempt(cluster.ClusterId, retry.Attempt);
                await next(context);
                ProxyActivitySource.StopAttempt(span, context);

                var failed = proxy.ProxiedDestination;
                var result = AttemptResult.Of(context);
                everyAttemptUnreachable &= result.NeverReachedDestination;
                if (failed is null || !ShouldRetry(context, retry, result, failed))
                {
                    retry.Settle(result);
                    if (retry.HeldBack != RetryConditions.None)
                    {
                        DropBodyHeaders(context.Response);
                    }

                    break;
                }

                var reason = retry.HeldBack != RetryConditions.None ? retry.HeldBack : result.Condition;
                LogRetrying(logger, cluster.ClusterId, failed.DestinationId, reason, retry.Attempt + 1);
                metrics.RetryAttempted(cluster.ClusterId, failed, RetryConditionNames.Name(reason));
                proxy.AvailableDestinations = retry.NextAttempt(failed);
                proxy.ProxiedDestination = null;
                context.Response.Clear();
                context.Features.Set<IForwarderErrorFeature>(null);
                body?.Rewind();
            }

            if (everyAttemptUnreachable && proxy.ProxiedDestination is not null && !context.Response.HasStarted)
            {
                // Nothing accepted a connection: the cluster is unavailable rather than misbehaving.
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Features.Set<IForwarderErrorFeature>(
                    new ClusterUnreachableError(context.Features.Get<IForwarderErrorFeature>()?.Exception));
            }
        }
        finally
        {
            if (body is not null)
            {
                request.Body = body.Client;
                body.Dispose();
            }
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
