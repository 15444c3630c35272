using Ginx.Proxy.Upstream;
using Ginx.Proxy.Utilities;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.Telemetry;

/// <summary>
/// Logs, once, each time a destination enters or leaves its cluster's available set, whatever
/// moved it: an active probe, passive health, an ejection or its reactivation. Every one of those
/// ends in YARP's <see cref="IClusterDestinationsUpdater"/>, which this wraps.
/// </summary>
internal sealed partial class DestinationAvailabilityLog(
    IClusterDestinationsUpdater inner, DestinationCounters counters, ILogger<DestinationAvailabilityLog> logger) : IClusterDestinationsUpdater
{
    public void UpdateAvailableDestinations(ClusterState cluster)
    {
        inner.UpdateAvailableDestinations(cluster);
        Observe(cluster);
    }

    public void UpdateAllDestinations(ClusterState cluster)
    {
        inner.UpdateAllDestinations(cluster);
        Observe(cluster);
    }

    private void Observe(ClusterState cluster)
    {
        foreach (var destination in cluster.DestinationsState.AllDestinations)
        {
            var available = AvailableDestinations.Contains(cluster, destination);
            var counter = counters.For(destination);
            if (!counter.AvailabilityChanged(available))
            {
                continue;
            }

            // Coming into service or failing is news; a backup going back to standby, or a
            // destination an operator marked down, is the configuration doing its job.
            var (availability, level) = available
                ? ("available again", LogLevel.Warning)
                : DestinationCondition.Of(cluster, destination) switch
                {
                    DestinationCondition.Standby => ("on standby", LogLevel.Information),
                    DestinationCondition.Down => ("marked down", LogLevel.Information),
                    _ => ("unavailable", LogLevel.Warning),
                };
            if (logger.IsEnabled(level))
            {
                LogAvailability(logger, level, counter.Name, cluster.ClusterId, availability, destination.Health.Active, destination.Health.Passive);
            }
        }
    }

    [LoggerMessage(EventId = EventIds.DestinationAvailabilityChanged,
        Message = "Destination '{Destination}' of cluster '{Cluster}' is {Availability} (active health {ActiveHealth}, passive health {PassiveHealth})")]
    private static partial void LogAvailability(ILogger logger, LogLevel level, string destination, string cluster, string availability,
        DestinationHealth activeHealth, DestinationHealth passiveHealth);
}
