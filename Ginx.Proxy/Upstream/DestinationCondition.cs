using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.Upstream;

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

    /// <param name="cluster">The destination's cluster.</param>
    /// <param name="destination">The destination.</param>
    public static string Of(ClusterState cluster, DestinationState destination) =>
        DestinationAvailability.IsDown(destination) ? Down
        : DestinationAvailability.FailedByHealthCheck(destination, cluster.Model.Config) ? Unhealthy
        : !AvailableDestinations.Contains(cluster, destination) ? Standby
        : destination.Health.Active == DestinationHealth.Healthy || destination.Health.Passive == DestinationHealth.Healthy ? Healthy
        : Unknown;
}
