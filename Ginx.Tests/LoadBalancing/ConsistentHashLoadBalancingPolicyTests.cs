using System.Globalization;
using System.Net;
using Ginx.Proxy.LoadBalancing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Yarp.ReverseProxy.Model;
using static Ginx.Tests.LoadBalancing.BalancingTestCluster;

namespace Ginx.Tests.LoadBalancing;

public sealed class ConsistentHashLoadBalancingPolicyTests
{
    private const string UserHeader = "X-User";

    private readonly ConsistentHashLoadBalancingPolicy _policy = new(new FakeTimeProvider());

    [Fact]
    public void PickDestination_ConsistentHash_SameKeyAlwaysSameDestination()
    {
        var destinations = Destinations(5);
        var keys = Keys(1_000);
        var first = Map(Cluster(destinations, HeaderKey), destinations, keys);

        // Asked again, and by a cluster rebuilt from scratch, as after a restart.
        var again = Map(Cluster(destinations, HeaderKey), destinations, keys);
        var rebuilt = Destinations(5);
        var afterRestart = Map(Cluster(rebuilt, HeaderKey), rebuilt, keys);

        Assert.Equal(first, again);
        Assert.Equal(first, afterRestart);
        Assert.Equal(5, first.Values.Distinct().Count());
    }

    [Fact]
    public void PickDestination_ConsistentHash_RemovingOneMovesOnlyItsKeys()
    {
        var destinations = Destinations(5);
        var keys = Keys(10_000);
        var before = Map(Cluster(destinations, HeaderKey), destinations, keys);

        var remaining = destinations.Where(destination => destination.DestinationId != "d-3").ToArray();
        var after = Map(Cluster(remaining, HeaderKey), remaining, keys);

        Assert.All(keys, key => Assert.True(before[key] == "d-3" || after[key] == before[key], key));
        Assert.DoesNotContain("d-3", after.Values);
    }

    [Fact]
    public void PickDestination_ConsistentHash_UnavailableDestinationHandsOnOnlyItsKeys()
    {
        var destinations = Destinations(5);
        var cluster = Cluster(destinations, HeaderKey);
        var keys = Keys(10_000);
        var before = Map(cluster, destinations, keys);

        var available = destinations.Where(destination => destination.DestinationId != "d-2").ToArray();
        var after = Map(cluster, available, keys);

        Assert.All(keys, key => Assert.True(before[key] == "d-2" || after[key] == before[key], key));
        Assert.DoesNotContain("d-2", after.Values);
    }

    [Fact]
    public void PickDestination_ConsistentHash_AddingOneMovesAtMostItsShare()
    {
        const int count = 5;
        var destinations = Destinations(count + 1);
        var keys = Keys(10_000);
        var before = Map(Cluster(destinations[..count], HeaderKey), destinations[..count], keys);
        var after = Map(Cluster(destinations, HeaderKey), destinations, keys);

        var moved = keys.Where(key => after[key] != before[key]).ToArray();
        Assert.All(moved, key => Assert.Equal($"d-{count + 1}", after[key]));
        Assert.InRange((double)moved.Length / keys.Length, 0.5 / (count + 1), (1.0 / (count + 1)) + 0.05);
    }

    [Fact]
    public void PickDestination_ConsistentHash_WeightedSharesWithinFivePercent()
    {
        int[] weights = [1, 2, 3, 4];
        var destinations = weights.Select((weight, i) => Weighted($"d-{i + 1}", weight)).ToArray();
        var keys = Keys(100_000);

        var map = Map(Cluster(destinations, HeaderKey), destinations, keys);

        for (var i = 0; i < weights.Length; i++)
        {
            var share = map.Values.Count(id => id == destinations[i].DestinationId) / (double)keys.Length;
            Assert.InRange(share, (weights[i] / 10.0) - 0.05, (weights[i] / 10.0) + 0.05);
        }
    }

    [Fact]
    public void PickDestination_ConsistentHash_RequestWithoutKeyFallsBackToWeightedRoundRobin()
    {
        var destinations = new[] { Weighted("a", 5), Weighted("b", 1), Weighted("c", 1) };
        var cluster = Cluster(destinations, HeaderKey);
        var keyless = new DefaultHttpContext();

        var picks = Enumerable.Range(0, 14).Select(_ => _policy.PickDestination(keyless, cluster, destinations)!.DestinationId);

        Assert.Equal(["a", "a", "b", "a", "c", "a", "a", "a", "a", "b", "a", "c", "a", "a"], picks);
    }

    public static TheoryData<string, string> KeySources => new()
    {
        { "header:X-User", "header" },
        { "cookie:session", "cookie" },
        { "query:user", "query" },
        { "path", "path" },
        { "path-and-query", "path-and-query" },
        { "client-ip", "client-ip" },
    };

    [Theory]
    [MemberData(nameof(KeySources))]
    public void PickDestination_ConsistentHash_EveryKeySourceIsStickyAndSpreads(string hashKey, string source)
    {
        var destinations = Destinations(3);
        var cluster = Cluster(destinations, (HashKey.MetadataKey, hashKey));

        var map = new Dictionary<int, string>();
        for (var i = 0; i < 300; i++)
        {
            var picked = _policy.PickDestination(Request(source, i), cluster, destinations)!.DestinationId;
            var again = _policy.PickDestination(Request(source, i), cluster, destinations)!.DestinationId;
            Assert.Equal(picked, again);
            map[i] = picked;
        }

        Assert.Equal(3, map.Values.Distinct().Count());
    }

    private static (string, string) HeaderKey => (HashKey.MetadataKey, $"header:{UserHeader}");

    private static DestinationState[] Destinations(int count) =>
        Enumerable.Range(1, count).Select(i => Destination($"d-{i}")).ToArray();

    private static string[] Keys(int count) =>
        Enumerable.Range(0, count).Select(i => $"user-{i}").ToArray();

    private Dictionary<string, string> Map(ClusterState cluster, IReadOnlyList<DestinationState> available, string[] keys)
    {
        var map = new Dictionary<string, string>();
        foreach (var key in keys)
        {
            var context = new DefaultHttpContext();
            context.Request.Headers[UserHeader] = key;
            map[key] = _policy.PickDestination(context, cluster, available)!.DestinationId;
        }

        return map;
    }

    private static DefaultHttpContext Request(string source, int key)
    {
        var context = new DefaultHttpContext();
        var text = key.ToString(CultureInfo.InvariantCulture);
        switch (source)
        {
            case "header":
                context.Request.Headers[UserHeader] = text;
                break;
            case "cookie":
                context.Request.Headers.Cookie = $"other=1; session={text}";
                break;
            case "query":
                context.Request.QueryString = new QueryString($"?user={text}");
                break;
            case "path":
                context.Request.Path = $"/users/{text}";
                break;
            case "path-and-query":
                // One path: only the query can spread these keys.
                context.Request.Path = "/search";
                context.Request.QueryString = new QueryString($"?q={text}");
                break;
            default:
                context.Connection.RemoteIpAddress = new IPAddress([10, 0, (byte)(key / 256), (byte)(key % 256)]);
                break;
        }

        return context;
    }
}
