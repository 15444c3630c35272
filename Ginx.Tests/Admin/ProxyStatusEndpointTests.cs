using System.Diagnostics.CodeAnalysis;
using Ginx.Proxy.Admin;
using Ginx.Proxy.Telemetry;
using Ginx.Proxy.Upstream;
using Microsoft.Extensions.Time.Testing;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;
using static Ginx.Tests.LoadBalancing.BalancingTestCluster;

namespace Ginx.Tests.Admin;

public sealed class ProxyStatusEndpointTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Report_EjectionRunOutWhilePassiveHealthStillHoldsTheDestination_ShowsNoEjectionEnd()
    {
        var counters = new DestinationCounters(_time);
        var (ejected, serving) = (Destination("ejected"), Destination("serving"));
        ejected.Health.Passive = DestinationHealth.Unhealthy;
        var cluster = Cluster([ejected, serving], new ClusterConfig
        {
            ClusterId = "test",
            HealthCheck = new HealthCheckConfig { Passive = new PassiveHealthCheckConfig { Enabled = true } },
        });
        cluster.DestinationsState = new ClusterDestinationsState([ejected, serving], [serving]);
        var state = new OneCluster(cluster);
        counters.For(ejected).Ejected("max_fails", _time.GetUtcNow() + TimeSpan.FromSeconds(10));

        var during = Status(ProxyStatusEndpoint.Report(state, [], counters, _time), "ejected");
        _time.Advance(TimeSpan.FromSeconds(11));
        var after = Status(ProxyStatusEndpoint.Report(state, [], counters, _time), "ejected");

        Assert.Equal(_time.GetUtcNow() - TimeSpan.FromSeconds(1), during.EjectedUntil);
        Assert.Equal("ejected (max_fails) for 10 s more", during.HealthReason);
        Assert.Null(after.EjectedUntil);
        Assert.Equal("ejected by passive health", after.HealthReason);
        Assert.Equal(DestinationCondition.Unhealthy, after.Health);
    }

    private static DestinationStatus Status(ProxyStatusReport report, string id) =>
        Assert.Single(report.Clusters).Destinations.Single(destination => destination.Id == id);

    private sealed class OneCluster(ClusterState cluster) : IProxyStateLookup
    {
        public bool TryGetRoute(string id, [NotNullWhen(true)] out RouteModel? route) => (route = null) is not null;

        public IEnumerable<RouteModel> GetRoutes() => [];

        public bool TryGetCluster(string id, [NotNullWhen(true)] out ClusterState? found) => (found = id == cluster.ClusterId ? cluster : null) is not null;

        public IEnumerable<ClusterState> GetClusters() => [cluster];
    }
}
