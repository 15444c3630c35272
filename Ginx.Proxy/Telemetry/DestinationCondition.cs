using Ginx.Proxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.Telemetry;

/// <summary>
/// What an operator would call a destination's state, as the status API shows it and the
/// availability log reports it: why balancing skips it, if it does, matters as much as whether.
/// </summary>
internal static class DestinationCondition
{
    /// <summary>Marked <c>Down</c> in its configuration.</summary>
    public const string Down = "down";

    /// <summary>A health check failed it; panic mode may still use it.</summary>
    public const string Unhealthy = "unhealthy";

    /// <summary>Skipped for neither reason: a backup while a primary serves.</summary>
    public const string Standby = "standby";

    public const string Healthy = "healthy";

    /// <summary>No health check has a verdict yet.</summary>
    public const string Unknown = "unknown";

    /// <param name="destination">The destination.</param>
    /// <param name="available">Whether it is in its cluster's available set.</param>
    public static string Of(DestinationState destination, bool available) =>
        DestinationSettings.Of(destination).Down ? Down
        : FailedByHealthCheck(destination) ? Unhealthy
        : !available ? Standby
        : destination.Health.Active == DestinationHealth.Healthy || destination.Health.Passive == DestinationHealth.Healthy ? Healthy
        : Unknown;

    /// <summary>Whether the active or the passive health check holds the destination unhealthy.</summary>
    public static bool FailedByHealthCheck(DestinationState destination) =>
        destination.Health.Active == DestinationHealth.Unhealthy || destination.Health.Passive == DestinationHealth.Unhealthy;
}
