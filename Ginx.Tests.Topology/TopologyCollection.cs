namespace Ginx.Tests.Topology;

/// <summary>
/// Tests that drive the real topology. They share one running AppHost and run one after another,
/// because they stop, slow and fail the same replicas.
/// </summary>
[CollectionDefinition(Name)]
public sealed class TopologyCollection : ICollectionFixture<GinxTopologyFixture>
{
    public const string Name = "Topology";
}
