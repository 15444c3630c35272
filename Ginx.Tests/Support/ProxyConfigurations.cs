using System.Text.Json.Nodes;

namespace Ginx.Tests.Support;

/// <summary>Proxy configurations for in-process tests: one catch-all route to one cluster.</summary>
internal static class ProxyConfigurations
{
    /// <summary>
    /// A cluster named <c>backend</c> over <paramref name="backends"/> (destination ids are their
    /// names), with <paramref name="policy"/> and <paramref name="metadata"/>; <paramref name="ginx"/>
    /// becomes the <c>Ginx</c> section.
    /// </summary>
    public static JsonObject OneCluster(
        IEnumerable<(string Name, Uri Address)> backends,
        string policy = "RoundRobin",
        JsonObject? metadata = null,
        JsonObject? ginx = null)
    {
        var destinations = new JsonObject();
        foreach (var (name, address) in backends)
        {
            destinations[name] = new JsonObject { ["Address"] = address.ToString() };
        }

        var configuration = new JsonObject
        {
            ["ReverseProxy"] = new JsonObject
            {
                ["Routes"] = new JsonObject
                {
                    ["all"] = new JsonObject
                    {
                        ["ClusterId"] = "backend",
                        ["Match"] = new JsonObject { ["Path"] = "{**catch-all}" },
                    },
                },
                ["Clusters"] = new JsonObject
                {
                    ["backend"] = new JsonObject
                    {
                        ["LoadBalancingPolicy"] = policy,
                        ["Metadata"] = metadata ?? new JsonObject(),
                        ["Destinations"] = destinations,
                    },
                },
            },
        };
        if (ginx is not null)
        {
            configuration["Ginx"] = ginx;
        }

        return configuration;
    }

    public static JsonObject OneCluster(IEnumerable<InProcessBackend> backends, string policy = "RoundRobin", JsonObject? metadata = null, JsonObject? ginx = null) =>
        OneCluster(backends.Select(backend => (backend.Name, backend.Address)), policy, metadata, ginx);
}
