using System.Text.Json.Nodes;

namespace Ginx.Tests.Support;

/// <summary>Proxy configurations for in-process tests: one catch-all route to one cluster.</summary>
internal static class ClusterConfiguration
{
    /// <summary>
    /// A cluster <paramref name="clusterId"/> balancing round robin across <paramref name="backends"/>,
    /// with passive health on so a test can take a destination out through YARP's health updater,
    /// and without YARP's panic mode, so taking every destination out leaves none available.
    /// </summary>
    public static JsonObject RoundRobin(string clusterId, params IEnumerable<(string Name, Uri Address)> backends)
    {
        var destinations = new JsonObject();
        foreach (var (name, address) in backends)
        {
            destinations[name] = new JsonObject { ["Address"] = address.ToString() };
        }

        return new JsonObject
        {
            ["ReverseProxy"] = new JsonObject
            {
                ["Routes"] = new JsonObject
                {
                    ["all"] = new JsonObject { ["ClusterId"] = clusterId, ["Match"] = new JsonObject { ["Path"] = "{**catch-all}" } },
                },
                ["Clusters"] = new JsonObject
                {
                    [clusterId] = new JsonObject
                    {
                        ["LoadBalancingPolicy"] = "RoundRobin",
                        ["HealthCheck"] = new JsonObject
                        {
                            ["Passive"] = new JsonObject { ["Enabled"] = true },
                            ["AvailableDestinationsPolicy"] = "HealthyAndUnknown",
                        },
                        ["Destinations"] = destinations,
                    },
                },
            },
        };
    }
}
