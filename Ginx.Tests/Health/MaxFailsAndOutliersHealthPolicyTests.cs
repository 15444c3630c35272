using Ginx.Proxy.Configuration;
using Ginx.Proxy.Health;
using Ginx.Proxy.Retries;
using Ginx.Proxy.Telemetry;
using Ginx.Tests.Support;
using static Ginx.Tests.LoadBalancing.BalancingTestCluster;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Ginx.Tests.Health;

public sealed class MaxFailsAndOutliersHealthPolicyTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingHealthUpdater _updater = new();

    private MaxFailsAndOutliersHealthPolicy Policy(PassiveHealthOptions health, RetryOptions? retries = null) => new(
        _updater,
        new ClusterSettingsCache<PassiveHealthOptions>(Options.Create(health)),
        new ClusterSettingsCache<RetryOptions>(Options.Create(retries ?? new RetryOptions())),
        StandaloneProxyMetrics.Create(),
        _time);

    private static DefaultHttpContext Answered(int status) => new DefaultHttpContext { Response = { StatusCode = status } };

    private static DefaultHttpContext Refused()
    {
        var context = new DefaultHttpContext { Response = { StatusCode = StatusCodes.Status502BadGateway } };
        context.Features.Set<IForwarderErrorFeature>(new TestForwarderError(ForwarderError.Request,
            new HttpRequestException(HttpRequestError.ConnectionError, "refused")));
        return context;
    }

    private static DefaultHttpContext ClientWentAway()
    {
        var context = new DefaultHttpContext { Response = { StatusCode = StatusCodes.Status400BadRequest } };
        context.Features.Set<IForwarderErrorFeature>(new TestForwarderError(ForwarderError.RequestCanceled, new TaskCanceledException()));
        return context;
    }

    [Fact]
    public void RequestProxied_MaxFailsWithinFailTimeout_EjectsForFailTimeout()
    {
        var policy = Policy(new PassiveHealthOptions { MaxFails = 3, FailTimeout = TimeSpan.FromSeconds(10), Consecutive5xx = 0 });
        var cluster = Cluster(3);
        var destination = cluster.DestinationsState.AllDestinations[0];

        policy.RequestProxied(Refused(), cluster, destination);
        policy.RequestProxied(Answered(503), cluster, destination);
        Assert.Empty(_updater.Ejections);

        policy.RequestProxied(Refused(), cluster, destination);

        var ejection = Assert.Single(_updater.Ejections);
        Assert.Equal((destination, TimeSpan.FromSeconds(10)), ejection);
    }

    [Theory]
    [InlineData("error, timeout, http_502, http_503, http_504", false)]
    [InlineData("error, timeout, http_500", true)]
    public void RequestProxied_A500_CountsForMaxFailsOnlyWhenRetryOnNamesIt(string retryOn, bool ejected)
    {
        var policy = Policy(new PassiveHealthOptions { MaxFails = 1, Consecutive5xx = 0 }, new RetryOptions { RetryOn = retryOn });
        var cluster = Cluster(3);

        policy.RequestProxied(Answered(500), cluster, cluster.DestinationsState.AllDestinations[0]);

        Assert.Equal(ejected, _updater.Ejections.Count == 1);
    }

    [Fact]
    public void RequestProxied_FailuresSpreadWiderThanFailTimeout_DoNotEject()
    {
        var policy = Policy(new PassiveHealthOptions { MaxFails = 2, FailTimeout = TimeSpan.FromSeconds(10), Consecutive5xx = 0 });
        var cluster = Cluster(3);
        var destination = cluster.DestinationsState.AllDestinations[0];

        policy.RequestProxied(Refused(), cluster, destination);
        _time.Advance(TimeSpan.FromSeconds(11));
        policy.RequestProxied(Refused(), cluster, destination);

        Assert.Empty(_updater.Ejections);
    }

    [Fact]
    public void RequestProxied_ClientFaults_NeverCount()
    {
        var policy = Policy(new PassiveHealthOptions { MaxFails = 1, Consecutive5xx = 1 });
        var cluster = Cluster(3);

        for (var i = 0; i < 10; i++)
        {
            policy.RequestProxied(ClientWentAway(), cluster, cluster.DestinationsState.AllDestinations[0]);
        }

        Assert.Empty(_updater.Ejections);
    }

    [Fact]
    public void RequestProxied_Consecutive5xx_EjectsButASuccessInBetweenStartsOver()
    {
        var policy = Policy(new PassiveHealthOptions { MaxFails = 0, Consecutive5xx = 3, BaseEjectionTime = TimeSpan.FromSeconds(30) });
        var cluster = Cluster(4);
        var destination = cluster.DestinationsState.AllDestinations[0];

        policy.RequestProxied(Answered(500), cluster, destination);
        policy.RequestProxied(Answered(500), cluster, destination);
        policy.RequestProxied(Answered(200), cluster, destination);
        policy.RequestProxied(Answered(500), cluster, destination);
        policy.RequestProxied(Answered(500), cluster, destination);
        Assert.Empty(_updater.Ejections);

        policy.RequestProxied(Answered(500), cluster, destination);

        Assert.Equal((destination, TimeSpan.FromSeconds(30)), Assert.Single(_updater.Ejections));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)] // Failures while it is out (panic mode, or a retry with nowhere else to go) are not ejections.
    public void RequestProxied_EjectedAgainSoon_StaysOutLonger(int failuresWhileOut)
    {
        var policy = Policy(new PassiveHealthOptions { MaxFails = 0, Consecutive5xx = 1, BaseEjectionTime = TimeSpan.FromSeconds(10) });
        var cluster = Cluster(4);
        var destination = cluster.DestinationsState.AllDestinations[0];

        policy.RequestProxied(Answered(503), cluster, destination);
        for (var i = 0; i < failuresWhileOut; i++)
        {
            policy.RequestProxied(Answered(503), cluster, destination);
        }

        destination.Health.Passive = DestinationHealth.Unknown;
        _time.Advance(TimeSpan.FromSeconds(10));
        policy.RequestProxied(Answered(503), cluster, destination);

        Assert.Equal([TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20)], _updater.Ejections.Select(ejection => ejection.Length));
    }

    [Fact]
    public void RequestProxied_EjectedAgainAfterServingWell_StartsFromTheBaseAgain()
    {
        var policy = Policy(new PassiveHealthOptions { MaxFails = 0, Consecutive5xx = 1, BaseEjectionTime = TimeSpan.FromSeconds(10) });
        var cluster = Cluster(4);
        var destination = cluster.DestinationsState.AllDestinations[0];

        policy.RequestProxied(Answered(503), cluster, destination);
        destination.Health.Passive = DestinationHealth.Unknown;
        _time.Advance(TimeSpan.FromSeconds(10 + 10));
        policy.RequestProxied(Answered(503), cluster, destination);

        Assert.Equal([TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)], _updater.Ejections.Select(ejection => ejection.Length));
    }

    [Fact]
    public void RequestProxied_OutliersBeyondMaxEjectionPercent_AreNotEjected()
    {
        var policy = Policy(new PassiveHealthOptions { MaxFails = 0, Consecutive5xx = 1, MaxEjectionPercent = 50 });
        var cluster = Cluster(4);
        var destinations = cluster.DestinationsState.AllDestinations;

        foreach (var destination in destinations)
        {
            policy.RequestProxied(Answered(500), cluster, destination);
        }

        Assert.Equal(2, _updater.Ejections.Count);
    }

    [Theory]
    [InlineData("MaxFails")]
    [InlineData("Consecutive5xx")]
    public void RequestProxied_FailureWhileTheDestinationIsBeingEjected_DoesNotEjectItAgain(string detector)
    {
        var policy = Policy(detector == "MaxFails"
            ? new PassiveHealthOptions { MaxFails = 1, Consecutive5xx = 0, SuccessRateStdevFactor = 0 }
            : new PassiveHealthOptions { MaxFails = 0, Consecutive5xx = 1, SuccessRateStdevFactor = 0 });
        var cluster = Cluster(4);
        var destination = cluster.DestinationsState.AllDestinations[0];
        // Another request's failure lands between the first ejection's decision and its effect, as
        // when a replica dies with many requests in flight.
        _updater.WhileEjecting = () => policy.RequestProxied(Refused(), cluster, destination);

        policy.RequestProxied(Refused(), cluster, destination);

        Assert.Equal(destination, Assert.Single(_updater.Ejections).Destination);
    }

    [Fact]
    public void RequestProxied_MaxEjectionPercent_IsOfTheDestinationsNotMarkedDown()
    {
        var policy = Policy(new PassiveHealthOptions { MaxFails = 0, Consecutive5xx = 1, MaxEjectionPercent = 50 });
        var cluster = Cluster([Destination("d1"), Destination("d2"), Destination("d3", ("Down", "true")), Destination("d4", ("Down", "true"))]);
        var serving = cluster.DestinationsState.AllDestinations.Take(2);

        foreach (var destination in serving)
        {
            policy.RequestProxied(Answered(500), cluster, destination);
        }

        Assert.Single(_updater.Ejections);
    }

    [Fact]
    public void RequestProxied_SuccessRateFarBelowTheOthers_IsEjectedAtTheInterval()
    {
        var policy = Policy(new PassiveHealthOptions
        {
            MaxFails = 0,
            Consecutive5xx = 0,
            SuccessRateStdevFactor = 1,
            SuccessRateRequestVolume = 20,
            SuccessRateMinimumHosts = 3,
            SuccessRateInterval = TimeSpan.FromSeconds(10),
        });
        var cluster = Cluster(4);
        var destinations = cluster.DestinationsState.AllDestinations;
        policy.RequestProxied(Answered(200), cluster, destinations[0]);

        for (var i = 0; i < 20; i++)
        {
            policy.RequestProxied(Answered(200), cluster, destinations[1]);
            policy.RequestProxied(Answered(200), cluster, destinations[2]);
            policy.RequestProxied(Answered(200), cluster, destinations[3]);
            policy.RequestProxied(Answered(i % 2 == 0 ? 200 : 500), cluster, destinations[0]);
        }

        Assert.Empty(_updater.Ejections);
        _time.Advance(TimeSpan.FromSeconds(10));
        policy.RequestProxied(Answered(200), cluster, destinations[1]);

        Assert.Equal(destinations[0], Assert.Single(_updater.Ejections).Destination);
    }

    private sealed class RecordingHealthUpdater : IDestinationHealthUpdater
    {
        public List<(DestinationState Destination, TimeSpan Length)> Ejections { get; } = [];

        /// <summary>Runs once, as the next ejection begins and before it marks the destination.</summary>
        public Action? WhileEjecting { get; set; }

        public void SetPassive(ClusterState cluster, DestinationState destination, DestinationHealth newHealth, TimeSpan reactivationPeriod)
        {
            if (newHealth == DestinationHealth.Unhealthy && WhileEjecting is { } concurrently)
            {
                WhileEjecting = null;
                concurrently();
            }

            destination.Health.Passive = newHealth;
            if (newHealth == DestinationHealth.Unhealthy)
            {
                Ejections.Add((destination, reactivationPeriod));
            }
        }

        public void SetActive(ClusterState cluster, IEnumerable<NewActiveDestinationHealth> newHealthStates)
        {
        }
    }

    private sealed class TestForwarderError(ForwarderError error, Exception exception) : IForwarderErrorFeature
    {
        public ForwarderError Error => error;

        public Exception? Exception => exception;
    }
}
