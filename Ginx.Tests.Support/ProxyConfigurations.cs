using System.Text.Json.Nodes;

namespace Ginx.Tests.Support;

/// <summary>Proxy configurations for in-process tests: one catch-all route to one cluster.</summary>
internal static class ProxyConfigurations
{
    /// <summary>Every request goes to <paramref name="cluster"/>, as <paramref name="clusterId"/>; <paramref name="ginx"/> becomes the <c>Ginx</c> section.</summary>
    public static JsonObject CatchAll(string clusterId, JsonObject cluster, JsonObject? ginx = null)
    {
        var configuration = new JsonObject
        {
            ["ReverseProxy"] = new JsonObject
            {
                ["Routes"] = new JsonObject
                {
                    ["all"] = new JsonObject { ["ClusterId"] = clusterId, ["Match"] = new JsonObject { ["Path"] = "{**catch-all}" } },
                },
                ["Clusters"] = new JsonObject { [clusterId] = cluster },
            },
        };
        if (ginx is not null)
        {
            configuration["Ginx"] = ginx;
        }

        return configuration;
    }

    /// <summary>One destination per backend, named after it.</summary>
    public static JsonObject Destinations(IEnumerable<(string Name, Uri Address)> backends)
    {
        var destinations = new JsonObject();
        foreach (var (name, address) in backends)
        {
            destinations[name] = new JsonObject { ["Address"] = address.ToString() };
        }

        return destinations;
    }

    /// <summary>A cluster named <c>backend</c> over <paramref name="backends"/> with <paramref name="policy"/> and <paramref name="metadata"/>.</summary>
    public static JsonObject OneCluster(
        IEnumerable<InProcessBackend> backends,
        string policy = "RoundRobin",
        JsonObject? metadata = null,
        JsonObject? ginx = null) =>
        CatchAll("backend", new JsonObject
        {
            ["LoadBalancingPolicy"] = policy,
            ["Metadata"] = metadata ?? new JsonObject(),
            ["Destinations"] = Destinations(backends.Select(backend => (backend.Name, backend.Address))),
        }, ginx);
}
