using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.Upstream;

/// <summary>
/// Whether a destination may take a request: the one rule that balancing, retries, passive health,
/// the status API and the logs all apply, so they cannot disagree about a destination.
/// </summary>
internal static class DestinationAvailability
{
    /// <summary>Marked <c>Down</c> in its configuration: never used.</summary>
    public static bool IsDown(DestinationState destination) => DestinationSettings.Of(destination).Down;

    /// <summary>
    /// Whether a health check the cluster has turned on holds the destination unhealthy. YARP leaves
    /// a destination's last active verdict in place when a reload turns active checks off, and
    /// stops probing it, so a check that is off no longer counts, as YARP's own policies judge it.
    /// </summary>
    public static bool FailedByHealthCheck(DestinationState destination, ClusterConfig cluster)
    {
        var health = destination.Health;
        return (health.Active == DestinationHealth.Unhealthy && cluster.HealthCheck?.Active?.Enabled == true)
            || (health.Passive == DestinationHealth.Unhealthy && cluster.HealthCheck?.Passive?.Enabled == true);
    }

    /// <summary>Whether the destination is below its <see cref="DestinationMetadata.MaxConns"/>.</summary>
    public static bool HasRoom(DestinationState destination) => DestinationRuntime.Of(destination).HasRoom(DestinationSettings.Of(destination));
}
