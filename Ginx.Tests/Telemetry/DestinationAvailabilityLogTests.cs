using Ginx.Proxy.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;
using static Ginx.Tests.LoadBalancing.BalancingTestCluster;

namespace Ginx.Tests.Telemetry;

public sealed class DestinationAvailabilityLogTests
{
    // Passive health on, as Ginx turns it on for every cluster: a destination it fails is unavailable, not on standby.
    private readonly ClusterState _cluster = new("api", new ClusterModel(
        new ClusterConfig { ClusterId = "api", HealthCheck = new HealthCheckConfig { Passive = new PassiveHealthCheckConfig { Enabled = true } } },
        NoNetwork));
    private readonly SettableUpdater _updater = new();
    private readonly FakeLogger<DestinationAvailabilityLog> _logger = new();
    private readonly DestinationAvailabilityLog _log;

    public DestinationAvailabilityLogTests() => _log = new DestinationAvailabilityLog(_updater, new DestinationCounters(TimeProvider.System), _logger);

    [Fact]
    public void Update_DestinationFailsThenReturns_LoggedOnceEachAsWarningWithClusterAndDestination()
    {
        var one = Destination("one[http://localhost:41234]");
        var two = Destination("two");
        _updater.Next = [one, two];
        _log.UpdateAllDestinations(_cluster);
        Assert.Equal(0, _logger.Collector.Count);

        one.Health.Passive = DestinationHealth.Unhealthy;
        _updater.Next = [two];
        _log.UpdateAvailableDestinations(_cluster);
        _log.UpdateAvailableDestinations(_cluster);

        var left = Assert.Single(_logger.Collector.GetSnapshot());
        Assert.Equal(LogLevel.Warning, left.Level);
        Assert.Equal("one", left.GetStructuredStateValue("Destination"));
        Assert.Equal("api", left.GetStructuredStateValue("Cluster"));
        Assert.Equal("unavailable", left.GetStructuredStateValue("Availability"));

        one.Health.Passive = DestinationHealth.Unknown;
        _updater.Next = [one, two];
        _log.UpdateAvailableDestinations(_cluster);

        Assert.Equal(2, _logger.Collector.Count);
        Assert.Equal(LogLevel.Warning, _logger.LatestRecord.Level);
        Assert.Equal("available again", _logger.LatestRecord.GetStructuredStateValue("Availability"));
    }

    [Fact]
    public void Update_BackupBackOnStandbyWhenThePrimaryReturns_LoggedAsInformation()
    {
        var primary = Destination("primary");
        var backup = Destination("backup", ("Backup", "true"));
        _updater.Next = [backup];
        _log.UpdateAllDestinations(_cluster);

        _updater.Next = [primary];
        _log.UpdateAvailableDestinations(_cluster);

        var record = Assert.Single(_logger.Collector.GetSnapshot(), record => (string?)record.GetStructuredStateValue("Destination") == "backup");
        Assert.Equal(LogLevel.Information, record.Level);
        Assert.Equal("on standby", record.GetStructuredStateValue("Availability"));
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
