namespace Ginx.Proxy.Telemetry;

/// <summary>Tag names Ginx puts on its metrics and spans.</summary>
public static class ProxyTelemetryTags
{
    /// <summary>The cluster id.</summary>
    public const string Cluster = "ginx.cluster";

    /// <summary>The destination's configured name (see <see cref="DestinationName.Of"/>).</summary>
    public const string Destination = "ginx.destination";

    /// <summary>The cluster's load-balancing policy.</summary>
    public const string Policy = "ginx.policy";

    /// <summary>The attempt number (on an attempt span) or the number of attempts (on the proxy span).</summary>
    public const string Attempt = "ginx.attempt";

    /// <summary>One of <see cref="ProxyOutcomes"/>.</summary>
    public const string Outcome = "ginx.outcome";

    /// <summary>Why a request was retried.</summary>
    public const string RetryReason = "ginx.retry.reason";

    /// <summary>Why a destination was ejected.</summary>
    public const string EjectionReason = "ginx.ejection.reason";

    /// <summary>The final HTTP status, as OpenTelemetry's semantic conventions name it.</summary>
    public const string StatusCode = "http.response.status_code";
}
