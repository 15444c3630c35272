using Yarp.ReverseProxy.Model;

namespace Ginx.Tests.Support;

/// <summary>What YARP's pipeline initializer sets on a request, for driving a middleware directly.</summary>
internal sealed class TestReverseProxyFeature(ClusterState cluster, RouteModel? route = null) : IReverseProxyFeature
{
    public RouteModel Route => route ?? throw new NotSupportedException();

    public ClusterModel Cluster => cluster.Model;

    public IReadOnlyList<DestinationState> AllDestinations => cluster.DestinationsState.AllDestinations;

    public IReadOnlyList<DestinationState> AvailableDestinations { get; set; } = cluster.DestinationsState.AvailableDestinations;

    public DestinationState? ProxiedDestination { get; set; }
}
