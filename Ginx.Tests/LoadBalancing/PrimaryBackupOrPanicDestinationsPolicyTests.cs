using Ginx.Proxy.LoadBalancing;
using Ginx.Proxy.Upstream;
using Microsoft.Extensions.Time.Testing;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;
using static Ginx.Tests.LoadBalancing.BalancingTestCluster;

namespace Ginx.Tests.LoadBalancing;

public sealed class PrimaryBackupOrPanicDestinationsPolicyTests
{
    private static readonly ClusterConfig ActiveHealthChecked = new()
    {
        ClusterId = "test",
        HealthCheck = new HealthCheckConfig { Active = new ActiveHealthCheckConfig { Enabled = true } },
    };

    private readonly FakeTimeProvider _time = new();
    private readonly PrimaryBackupOrPanicDestinationsPolicy _policy;
    private readonly DestinationState _primary = Destination("primary");
    private readonly DestinationState _secondPrimary = Destination("primary-2");
    private readonly DestinationState _backup = Destination("backup", ("Backup", "true"));
    private readonly DestinationState _down = Destination("down", ("Down", "true"));
    private readonly DestinationState[] _all;

    public PrimaryBackupOrPanicDestinationsPolicyTests()
    {
        _policy = new PrimaryBackupOrPanicDestinationsPolicy(_time);
        _all = [_primary, _secondPrimary, _backup, _down];
    }

    [Fact]
    public void GetAvailableDestinations_HealthyPrimaries_OnlyPrimaries()
    {
        Assert.Equal(Ids(_primary, _secondPrimary), Ids(_policy.GetAvailalableDestinations(ActiveHealthChecked, _all)));
    }

    [Fact]
    public void GetAvailableDestinations_OnePrimaryUnhealthy_TheOtherPrimaryAlone()
    {
        _primary.Health.Active = DestinationHealth.Unhealthy;

        Assert.Equal(Ids(_secondPrimary), Ids(_policy.GetAvailalableDestinations(ActiveHealthChecked, _all)));
    }

    [Fact]
    public void GetAvailableDestinations_EveryPrimaryUnhealthy_Backups()
    {
        _primary.Health.Active = DestinationHealth.Unhealthy;
        _secondPrimary.Health.Active = DestinationHealth.Unhealthy;

        Assert.Equal(Ids(_backup), Ids(_policy.GetAvailalableDestinations(ActiveHealthChecked, _all)));
    }

    [Fact]
    public void GetAvailableDestinations_EverythingUnhealthy_PanicsToAllButDown()
    {
        foreach (var destination in _all)
        {
            destination.Health.Active = DestinationHealth.Unhealthy;
        }

        Assert.Equal(Ids(_primary, _secondPrimary, _backup), Ids(_policy.GetAvailalableDestinations(ActiveHealthChecked, _all)));
    }

    [Fact]
    public void GetAvailableDestinations_HealthChecksOff_HealthIsIgnored()
    {
        _primary.Health.Passive = DestinationHealth.Unhealthy;

        Assert.Equal(Ids(_primary, _secondPrimary), Ids(_policy.GetAvailalableDestinations(new ClusterConfig { ClusterId = "test" }, _all)));
    }

    [Fact]
    public void GetAvailableDestinations_SlowStart_RampsOnlyAfterComingBack()
    {
        var slow = Destination("slow", ("SlowStart", "00:00:10"), ("Weight", "10"));
        var settings = DestinationSettings.Of(slow);
        var runtime = DestinationRuntime.Of(slow);
        DestinationState[] all = [slow, _primary];

        _policy.GetAvailalableDestinations(ActiveHealthChecked, all);
        Assert.Equal(10, runtime.EffectiveWeight(settings, _time.GetTimestamp(), _time));

        slow.Health.Active = DestinationHealth.Unhealthy;
        _policy.GetAvailalableDestinations(ActiveHealthChecked, all);
        _time.Advance(TimeSpan.FromMinutes(1));
        slow.Health.Active = DestinationHealth.Healthy;
        _policy.GetAvailalableDestinations(ActiveHealthChecked, all);

        var weights = new List<double>();
        for (var second = 0; second <= 12; second += 2)
        {
            weights.Add(runtime.EffectiveWeight(settings, _time.GetTimestamp(), _time));
            _time.Advance(TimeSpan.FromSeconds(2));
        }

        Assert.Equal([1, 2, 4, 6, 8, 10, 10], weights.Select(weight => Math.Round(weight, 6)));
    }
}
