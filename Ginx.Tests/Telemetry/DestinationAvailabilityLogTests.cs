using Ginx.Proxy.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Ginx.Tests.Telemetry;

public sealed class DestinationAvailabilityLogTests
{
    [Fact]
    public void Update_DestinationLeavesThenReturns_LoggedOnceEachAsWarningWithClusterAndDestination()
    {
        var cluster = new ClusterState("api");
        var one = new DestinationState("one[http://localhost:41234]");
        var two = new DestinationState("two");
        var updater = new SettableUpdater();
        var logger = new FakeLogger<DestinationAvailabilityLog>();
        var log = new DestinationAvailabilityLog(updater, new DestinationCounters(), logger);

        updater.Next = [one, two];
        log.UpdateAllDestinations(cluster);
        Assert.Equal(0, logger.Collector.Count);

        updater.Next = [two];
        log.UpdateAvailableDestinations(cluster);
        log.UpdateAvailableDestinations(cluster);

        var left = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(LogLevel.Warning, left.Level);
        Assert.Equal("one", left.GetStructuredStateValue("Destination"));
        Assert.Equal("api", left.GetStructuredStateValue("Cluster"));
        Assert.Equal("unavailable", left.GetStructuredStateValue("Availability"));

        updater.Next = [one, two];
        log.UpdateAvailableDestinations(cluster);

        Assert.Equal(2, logger.Collector.Count);
        Assert.Equal("available again", logger.LatestRecord.GetStructuredStateValue("Availability"));
    }

    /// <summary>Stands in for YARP's updater: makes <see cref="Next"/> the available set.</summary>
    private sealed class SettableUpdater : IClusterDestinationsUpdater
    {
        private List<DestinationState> _all = [];

        public IReadOnlyList<DestinationState> Next { get; set; } = [];

        public void UpdateAvailableDestinations(ClusterState cluster) =>
            cluster.DestinationsState = new ClusterDestinationsState(_all, Next);

        public void UpdateAllDestinations(ClusterState cluster)
        {
            _all = [.. Next];
            UpdateAvailableDestinations(cluster);
        }
    }
}
