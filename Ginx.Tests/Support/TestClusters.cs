using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace Ginx.Tests.Support;

/// <summary>YARP's live state of a cluster, built by hand for a component driven directly.</summary>
internal static class TestClusters
{
    /// <summary>A cluster <c>c</c> of <paramref name="destinations"/> (<c>d1</c> …), all available, of which the last <paramref name="down"/> are marked <c>Down</c>.</summary>
    public static ClusterState Create(int destinations, int down = 0)
    {
        var cluster = new ClusterState("c", new ClusterModel(new ClusterConfig { ClusterId = "c" }, new HttpMessageInvoker(new HttpClientHandler())));
        var all = Enumerable.Range(1, destinations)
            .Select(i => new DestinationState($"d{i}", new DestinationModel(new DestinationConfig
            {
                Address = $"http://d{i}",
                Metadata = i > destinations - down ? new Dictionary<string, string> { ["Down"] = "true" } : null,
            })))
            .ToArray();
        foreach (var destination in all)
        {
            cluster.Destinations[destination.DestinationId] = destination;
        }

        cluster.DestinationsState = new ClusterDestinationsState(all, all);
        return cluster;
    }
}
