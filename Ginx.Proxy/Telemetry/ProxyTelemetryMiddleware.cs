using System.Diagnostics;
using Ginx.Proxy.Configuration;
using Ginx.Proxy.Upstream;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace Ginx.Proxy.Telemetry;

/// <summary>
/// Records every proxied request once, after everything else in the proxy pipeline has run, so it
/// sees the final status, the destination that answered and how many attempts it took: the
/// request metrics, the per-destination counters of the status API, and the tags of the request's
/// server span (which is the proxy span of the trace).
/// </summary>
internal sealed class ProxyTelemetryMiddleware(RequestDelegate next, ProxyMetrics metrics, DestinationCounters counters, TimeProvider time)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = time.GetTimestamp();
        var faulted = true;
        try
        {
            await next(context);
            faulted = false;
        }
        finally
        {
            var ended = time.GetTimestamp();
            Record(context, ended, time.GetElapsedTime(started, ended), faulted);
        }
    }

    private void Record(HttpContext context, long ended, TimeSpan duration, bool faulted)
    {
        var proxy = context.GetReverseProxyFeature();
        var clusterId = proxy.Cluster.Config.ClusterId;
        var attempts = ProxyAttemptFeature.Count(context);

        // An exception escaping the pipeline becomes a 500 from the exception handler further out.
        var statusCode = faulted ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;

        var destination = proxy.ProxiedDestination is { } proxied ? counters.For(proxied) : null;

        // No destination after an attempt was sent means a retry found none left: the request was
        // tried, so it failed rather than being rejected.
        var outcome = attempts == 0 ? ProxyOutcomes.Rejected
            : destination is null || ProxyOutcomes.IsFailure(context, statusCode) ? ProxyOutcomes.Failed
            : attempts > 1 ? ProxyOutcomes.Retried
            : ProxyOutcomes.Success;

        if (destination is not null)
        {
            destination.Completed(failed: outcome == ProxyOutcomes.Failed, ended, duration);
            if (outcome == ProxyOutcomes.Failed)
            {
                destination.NoteError((context, statusCode), static failure => DescribeFailure(failure.context, failure.statusCode));
            }
        }

        metrics.RequestCompleted(clusterId, destination?.Name, statusCode, outcome, duration);

        if (context.Features.Get<IHttpActivityFeature>()?.Activity is { IsAllDataRequested: true } activity)
        {
            activity.SetTag(ProxyTelemetryTags.Cluster, clusterId);
            activity.SetTag(ProxyTelemetryTags.Destination, destination?.Name);
            activity.SetTag(ProxyTelemetryTags.Policy, ClusterPolicies.EffectiveName(proxy.Cluster.Config));
            activity.SetTag(ProxyTelemetryTags.Attempt, attempts);
            activity.SetTag(ProxyTelemetryTags.Outcome, outcome);
            if (outcome is ProxyOutcomes.Failed or ProxyOutcomes.Rejected)
            {
                activity.SetStatus(ActivityStatusCode.Error, outcome);
            }
        }
    }

    /// <summary>One line: the answer's status and, when the proxy failed to forward, why (the first line of the error's message).</summary>
    private static string DescribeFailure(HttpContext context, int statusCode)
    {
        if (ForwarderErrors.Of(context) is not { Error: not ForwarderError.None } error)
        {
            return $"answered {statusCode}";
        }

        if (error.Exception?.Message is not { } message)
        {
            return $"{statusCode}: {error.Error}";
        }

        var end = message.AsSpan().IndexOfAny('\r', '\n');
        return $"{statusCode}: {error.Error}, {(end < 0 ? message : message[..end])}";
    }
}
