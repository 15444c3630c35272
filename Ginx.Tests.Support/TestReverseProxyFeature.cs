using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Ginx.Tests.Support;

/// <summary>What YARP's pipeline initializer sets on a request, for driving a middleware directly: a catch-all route to <paramref name="cluster"/>.</summary>
internal sealed class TestReverseProxyFeature(ClusterState cluster) : IReverseProxyFeature
{
    public RouteModel Route { get; } = new(new RouteConfig { RouteId = "all", ClusterId = cluster.ClusterId }, cluster, HttpTransformer.Default);

    public ClusterModel Cluster => cluster.Model;

    public IReadOnlyList<DestinationState> AllDestinations => cluster.DestinationsState.AllDestinations;

    public IReadOnlyList<DestinationState> AvailableDestinations { get; set; } = cluster.DestinationsState.AvailableDestinations;

    public DestinationState? ProxiedDestination { get; set; }
}
