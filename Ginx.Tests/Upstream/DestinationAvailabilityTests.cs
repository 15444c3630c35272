using Ginx.Proxy.LoadBalancing;
using Ginx.Proxy.Retries;
using Ginx.Proxy.Upstream;
using Ginx.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;
using static Ginx.Tests.LoadBalancing.BalancingTestCluster;

namespace Ginx.Tests.Upstream;

/// <summary>
/// After a reload that turns active health checks off, YARP stops probing but leaves each
/// destination's last active verdict in place. Balancing, retries and the status API must all
/// ignore it, as they all apply the one availability rule.
/// </summary>
public sealed class DestinationAvailabilityTests
{
    private static readonly ClusterConfig ActiveChecksTurnedOff = new()
    {
        ClusterId = "test",
        HealthCheck = new HealthCheckConfig
        {
            Active = new ActiveHealthCheckConfig { Enabled = false },
            Passive = new PassiveHealthCheckConfig { Enabled = true },
        },
    };

    private readonly DestinationState _primary = Destination("primary");
    private readonly DestinationState _staleBackup = Destination("stale-backup", ("Backup", "true"));
    private readonly DestinationState _backup = Destination("backup", ("Backup", "true"));
    private readonly ClusterState _cluster;

    public DestinationAvailabilityTests()
    {
        _staleBackup.Health.Active = DestinationHealth.Unhealthy;
        _cluster = Cluster([_primary, _staleBackup, _backup], ActiveChecksTurnedOff);
    }

    [Fact]
    public void FailedByHealthCheck_ActiveChecksTurnedOff_StaleActiveVerdictIgnored_PassiveStillCounts()
    {
        Assert.False(DestinationAvailability.FailedByHealthCheck(_staleBackup, ActiveChecksTurnedOff));

        _staleBackup.Health.Passive = DestinationHealth.Unhealthy;
        Assert.True(DestinationAvailability.FailedByHealthCheck(_staleBackup, ActiveChecksTurnedOff));
    }

    [Fact]
    public void Balancing_ActiveChecksTurnedOff_UsesTheBackupWithAStaleActiveVerdict()
    {
        _primary.Health.Passive = DestinationHealth.Unhealthy;

        var available = new PrimaryBackupOrPanicDestinationsPolicy(new FakeTimeProvider())
            .GetAvailalableDestinations(ActiveChecksTurnedOff, _cluster.DestinationsState.AllDestinations);

        Assert.Equal(Ids(_staleBackup, _backup), Ids(available));
    }

    [Fact]
    public void Condition_ActiveChecksTurnedOff_StaleActiveVerdictIsNotUnhealthy()
    {
        Assert.Equal(DestinationCondition.Unknown, DestinationCondition.Of(_cluster, _staleBackup));
    }

    [Fact]
    public void RetryOrder_ActiveChecksTurnedOff_BackupWithAStaleActiveVerdictIsNotLastResort()
    {
        // The primary alone is available; it fails, and the retry moves on to the healthy backups.
        var proxy = new TestReverseProxyFeature(_cluster) { AvailableDestinations = [_primary], ProxiedDestination = _primary };
        var retry = new RetryState(new RetryOptions(), new RetryBudget(TimeProvider.System), proxy, idempotent: true, hasBody: false, body: null);

        Assert.Equal(Ids(_staleBackup, _backup), Ids(retry.NextAttempt(_primary)));
    }
}
