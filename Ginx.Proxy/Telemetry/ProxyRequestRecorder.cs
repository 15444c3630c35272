using System.Diagnostics;
using Ginx.Proxy.Configuration;
using Ginx.Proxy.Upstream;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.Telemetry;

/// <summary>
/// Records every proxied request once, after everything else in the proxy pipeline has run, so it
/// sees the final status, the destination that answered and how many attempts it took: the
/// request metrics, the per-destination counters of the status API, and the tags of the request's
/// server span (which is the proxy span of the trace). The outermost step of the proxy pipeline
/// calls <see cref="Record"/> once the rest has run, with when the request began and ended.
/// </summary>
internal sealed class ProxyRequestRecorder(ProxyMetrics metrics, DestinationCounters counters, TimeProvider time)
{
    /// <param name="context">The proxied request.</param>
    /// <param name="proxy">Its proxy feature.</param>
    /// <param name="attempts">The attempts it sent to destinations.</param>
    /// <param name="started">When the rest of the pipeline began, on <see cref="TimeProvider"/>'s clock.</param>
    /// <param name="ended">When it had ended, on the same clock.</param>
    /// <param name="error">Its forwarding error, as <see cref="ForwarderErrors.Of"/> finds it once the attempts are done; null if none.</param>
    /// <param name="faulted">Whether an exception escaped the pipeline.</param>
    public void Record(HttpContext context, IReverseProxyFeature proxy, int attempts, long started, long ended, IForwarderErrorFeature? error, bool faulted)
    {
        var duration = time.GetElapsedTime(started, ended);
        var clusterId = proxy.Cluster.Config.ClusterId;

        // An exception escaping the pipeline is answered 500, or the connection is cut if the answer has started.
        var statusCode = faulted ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;

        var destination = proxy.ProxiedDestination is { } proxied ? counters.For(proxied) : null;

        // No destination after an attempt was sent means a retry found none left: the request was
        // tried, so it failed rather than being rejected.
        var outcome = attempts == 0 ? ProxyOutcomes.Rejected
            : destination is null || ProxyOutcomes.IsFailure(statusCode, error) ? ProxyOutcomes.Failed
            : attempts > 1 ? ProxyOutcomes.Retried
            : ProxyOutcomes.Success;

        if (destination is not null)
        {
            destination.Completed(failed: outcome == ProxyOutcomes.Failed, ended, duration);
            if (outcome == ProxyOutcomes.Failed)
            {
                destination.NoteError((statusCode, error), static failure => DescribeFailure(failure.statusCode, failure.error));
            }
        }

        metrics.RequestCompleted(clusterId, destination?.Name, statusCode, outcome, duration);

        // Hosting makes the request's activity current when it starts one: without one (no listener,
        // the usual case) the feature lookup is saved.
        if (Activity.Current is not null && context.Features.Get<IHttpActivityFeature>()?.Activity is { IsAllDataRequested: true } activity)
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
    private static string DescribeFailure(int statusCode, IForwarderErrorFeature? error)
    {
        if (error is not { Error: not ForwarderError.None } failure)
        {
            return $"answered {statusCode}";
        }

        if (failure.Exception?.Message is not { } message)
        {
            return $"{statusCode}: {failure.Error}";
        }

        var end = message.AsSpan().IndexOfAny('\r', '\n');
        return $"{statusCode}: {failure.Error}, {(end < 0 ? message : message[..end])}";
    }
}
