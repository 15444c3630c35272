using Ginx.AppHost;
using Microsoft.Extensions.Configuration;

namespace Ginx.Tests.AppHost;

public sealed class TopologyOptionsTests
{
    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(pair => KeyValuePair.Create(pair.Key, (string?)pair.Value))).Build();

    [Fact]
    public void Load_PerReplicaMetadata_IsReadByReplicaAndKey()
    {
        var options = TopologyOptions.Load(Configuration(
            ("Topology:LoadBalancingPolicy", "ConsistentHash"),
            ("Topology:Destinations:backend-1:Weight", "5"),
            ("Topology:Destinations:backend-3:Backup", "true"),
            ("Topology:ClusterMetadata:HashKey", "header:X-User")));

        Assert.Equal("ConsistentHash", options.LoadBalancingPolicy);
        Assert.Equal("5", options.Destinations["backend-1"]["Weight"]);
        Assert.Equal("true", options.Destinations["backend-3"]["Backup"]);
        Assert.Equal("header:X-User", options.ClusterMetadata["HashKey"]);
    }

    [Fact]
    public void Load_Nothing_WeightedRoundRobinWithoutMetadata()
    {
        var options = TopologyOptions.Load(Configuration());

        Assert.Equal("WeightedRoundRobin", options.LoadBalancingPolicy);
        Assert.Empty(options.Destinations);
        Assert.Empty(options.ClusterMetadata);
    }

    [Fact]
    public void Load_MetadataForReplicaNotStarted_FailsNamingIt()
    {
        var exception = Assert.Throws<InvalidOperationException>(() => TopologyOptions.Load(Configuration(
            ("Topology:Replicas", "3"),
            ("Topology:Destinations:backend-9:Weight", "2"))));

        Assert.Contains("'backend-9'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("Topology:Destinations", exception.Message, StringComparison.Ordinal);
    }
}
