using System.Globalization;
using Ginx.Proxy.Telemetry;
using Ginx.Proxy.Upstream;
using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.Admin;

/// <summary>
/// Why a destination's <see cref="DestinationCondition"/> is what it is, in one line: which check
/// failed it and with what, until when passive health keeps it out, and whether panic mode uses it
/// anyway. Null for a healthy primary, which needs no explanation.
/// </summary>
internal static class DestinationHealthReason
{
    /// <param name="destination">The destination.</param>
    /// <param name="condition">Its <see cref="DestinationCondition"/>.</param>
    /// <param name="backup">Whether it is a backup.</param>
    /// <param name="panic">
    /// Whether its cluster is in panic. That is enough to say an unhealthy destination is still
    /// used: panic means the available set holds destinations a check failed, and every
    /// availability policy that panics (Ginx's, YARP's HealthyOrPanic) then uses all that are not Down.
    /// </param>
    /// <param name="activelyChecked">Whether the cluster's active health check is on.</param>
    /// <param name="probeFailure">The last failed probe's reason, if any.</param>
    /// <param name="ejection">The ejection that still holds it out, or null when none does.</param>
    /// <param name="now">The time the status is for.</param>
    public static string? Of(
        DestinationState destination, string condition, bool backup, bool panic, bool activelyChecked,
        string? probeFailure, Ejection? ejection, DateTimeOffset now) => condition switch
    {
        DestinationCondition.Down => "marked Down in its configuration",
        DestinationCondition.Standby => "backup; a primary is serving",
        // Passive health only ever ejects: without active checks, a working destination stays unknown.
        DestinationCondition.Unknown => activelyChecked ? "no probe has answered yet" : "not probed (no active health check)",
        DestinationCondition.Unhealthy => Unhealthy(destination, panic, probeFailure, ejection, now),
        _ when backup => "backup serving: no primary is healthy",
        _ => null,
    };

    private static string Unhealthy(DestinationState destination, bool panicking, string? probeFailure, Ejection? ejection, DateTimeOffset now)
    {
        var reasons = new List<string>(3);
        if (destination.Health.Active == DestinationHealth.Unhealthy)
        {
            reasons.Add($"active probe failed: {probeFailure ?? "no passing probe"}");
        }

        if (destination.Health.Passive == DestinationHealth.Unhealthy)
        {
            reasons.Add(ejection is not null
                ? string.Create(CultureInfo.InvariantCulture, $"ejected ({ejection.Reason}) for {(ejection.Until - now).TotalSeconds:0} s more")
                : "ejected by passive health");
        }

        if (panicking)
        {
            reasons.Add("panic mode: still used, no destination is healthy");
        }

        return string.Join("; ", reasons);
    }
}
