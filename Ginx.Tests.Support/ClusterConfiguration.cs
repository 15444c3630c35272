using System.Text.Json.Nodes;

namespace Ginx.Tests.Support;

/// <summary>A cluster whose destinations a telemetry test takes out by hand, through YARP's health updater.</summary>
internal static class ClusterConfiguration
{
    /// <summary>
    /// A cluster <paramref name="clusterId"/> balancing round robin across <paramref name="backends"/>,
    /// with passive health on so a test can take a destination out through YARP's health updater,
    /// and without YARP's panic mode, so taking every destination out leaves none available.
    /// </summary>
    public static JsonObject RoundRobin(string clusterId, params IEnumerable<(string Name, Uri Address)> backends) =>
        ProxyConfigurations.CatchAll(clusterId, new JsonObject
        {
            ["LoadBalancingPolicy"] = "RoundRobin",
            ["HealthCheck"] = new JsonObject
            {
                ["Passive"] = new JsonObject { ["Enabled"] = true },
                ["AvailableDestinationsPolicy"] = "HealthyAndUnknown",
            },
            ["Destinations"] = ProxyConfigurations.Destinations(backends),
        });
}
