using Ginx.Proxy.Upstream;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Utilities;

namespace Ginx.Tests.LoadBalancing;

/// <summary>Builds YARP's cluster and destination state directly, as YARP's own policy tests do.</summary>
internal static class BalancingTestCluster
{
    /// <summary>A client for cluster models that never send anything.</summary>
    public static readonly HttpMessageInvoker NoNetwork = new(new SocketsHttpHandler());

    public static DestinationState Destination(string id, params (string Key, string Value)[] metadata) =>
        new(id, new DestinationModel(new DestinationConfig
        {
            Address = $"http://{id}.test",
            Metadata = metadata.ToDictionary(pair => pair.Key, pair => pair.Value),
        }));

    public static DestinationState Weighted(string id, int weight) => Destination(id, ("Weight", weight.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>A cluster of <paramref name="count"/> plain destinations, <c>d1</c> …, all available.</summary>
    public static ClusterState Cluster(int count) =>
        Cluster(Enumerable.Range(1, count).Select(i => Destination($"d{i}")).ToArray());

    /// <summary>A cluster of <paramref name="destinations"/>, all available.</summary>
    public static ClusterState Cluster(IReadOnlyList<DestinationState> destinations, params (string Key, string Value)[] metadata) =>
        Cluster(destinations, new ClusterConfig
        {
            ClusterId = "test",
            Metadata = metadata.ToDictionary(pair => pair.Key, pair => pair.Value),
        });

    /// <summary>A cluster of <paramref name="destinations"/> configured as <paramref name="config"/>, all available.</summary>
    public static ClusterState Cluster(IReadOnlyList<DestinationState> destinations, ClusterConfig config)
    {
        var cluster = new ClusterState(config.ClusterId, new ClusterModel(config, NoNetwork));
        foreach (var destination in destinations)
        {
            cluster.Destinations[destination.DestinationId] = destination;
        }

        var all = destinations.ToArray();
        cluster.DestinationsState = new ClusterDestinationsState(all, all);
        return cluster;
    }

    /// <summary>
    /// The ids of <paramref name="destinations"/>, in order: what an assertion compares, since a
    /// DestinationState is also a list of itself, which xunit would recurse into.
    /// </summary>
    public static string[] Ids(params IEnumerable<DestinationState> destinations) =>
        destinations.Select(destination => destination.DestinationId).ToArray();

    /// <summary>Picks <paramref name="count"/> times and says who was picked how often.</summary>
    public static Dictionary<string, int> Tally(Func<DestinationState?> pick, int count)
    {
        var tally = new Dictionary<string, int>();
        for (var i = 0; i < count; i++)
        {
            var id = pick()!.DestinationId;
            tally[id] = tally.GetValueOrDefault(id) + 1;
        }

        return tally;
    }

    /// <summary>Puts <paramref name="count"/> requests, sent at <paramref name="sentAt"/> (0: long ago), in flight on <paramref name="destination"/>.</summary>
    public static void Load(DestinationState destination, int count, long sentAt = 0)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.True(Ginx.Proxy.Upstream.DestinationRuntime.Of(destination).TryReserve(int.MaxValue, sentAt));
        }
    }

    /// <summary>Hands out one seeded <see cref="Random"/>, so random picks repeat from run to run.</summary>
    public sealed class SeededRandomFactory(int seed) : IRandomFactory
    {
        private readonly Random _random = new(seed);

        public Random CreateRandomInstance() => _random;
    }
}
