using System.Diagnostics;
using Ginx.Proxy.Upstream;
using Ginx.ServiceDefaults;

namespace Ginx.Proxy.Telemetry;

/// <summary>
/// Ginx's own spans. The proxy span of a trace is ASP.NET Core's server span, which
/// <see cref="ProxyRequestRecorder"/> tags; what Ginx adds is one child span per forwarding
/// attempt, so a retried request shows each try, its destination and how it ended.
/// </summary>
internal static class ProxyActivitySource
{
    /// <summary>The name of an attempt span.</summary>
    public const string AttemptActivityName = "ginx.proxy.attempt";

    public static readonly ActivitySource Source = new(GinxTelemetry.ProxySourceName);

    /// <summary>
    /// Starts the span of attempt number <paramref name="attempt"/> (1 for the first), as a child of
    /// the current span; the forwarder's client span becomes its child. Null when nobody listens.
    /// </summary>
    public static Activity? StartAttempt(string clusterId, int attempt)
    {
        var activity = Source.StartActivity(AttemptActivityName, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(ProxyTelemetryTags.Cluster, clusterId);
            activity.SetTag(ProxyTelemetryTags.Attempt, attempt);
        }

        return activity;
    }

    /// <summary>
    /// Ends an attempt span once the rest of the pipeline has returned: tags the destination it went
    /// to and marks it failed on the proxy's own error or a 5xx; <paramref name="result"/> is what the attempt came to.
    /// </summary>
    public static void StopAttempt(Activity? activity, HttpContext context, AttemptResult result)
    {
        if (activity is null)
        {
            return;
        }

        if (activity.IsAllDataRequested)
        {
            var destination = context.GetReverseProxyFeature().ProxiedDestination;
            activity.SetTag(ProxyTelemetryTags.Destination, destination is null ? null : DestinationName.Of(destination.DestinationId));
            if (ProxyOutcomes.IsFailure(context.Response.StatusCode, result.Error))
            {
                activity.SetStatus(ActivityStatusCode.Error);
            }
        }

        activity.Dispose();
    }
}
