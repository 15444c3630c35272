using System.Text.Json.Nodes;
using Ginx.Tests.Support;

namespace Ginx.Tests.LoadBalancing;

/// <summary>Proxy configurations with one cluster, <see cref="ClusterId"/>, over in-process backends.</summary>
internal static class BalancedProxyConfiguration
{
    public const string ClusterId = "backend";

    /// <summary>A destination for <paramref name="backend"/>, named after it, with <paramref name="metadata"/>.</summary>
    public static KeyValuePair<string, JsonNode?> Destination(InProcessBackend backend, params (string Key, string Value)[] metadata)
    {
        var destination = new JsonObject { ["Address"] = backend.Address.ToString() };
        if (metadata.Length > 0)
        {
            var values = new JsonObject();
            foreach (var (key, value) in metadata)
            {
                values[key] = value;
            }

            destination["Metadata"] = values;
        }

        return new(backend.Name, destination);
    }

    /// <summary>Every request goes to the cluster, balanced by <paramref name="policy"/>.</summary>
    public static JsonObject Create(string policy, IEnumerable<KeyValuePair<string, JsonNode?>> destinations, JsonObject? clusterSettings = null)
    {
        var cluster = clusterSettings?.DeepClone().AsObject() ?? new JsonObject();
        cluster["LoadBalancingPolicy"] = policy;
        cluster["Destinations"] = new JsonObject(destinations.Select(pair => KeyValuePair.Create(pair.Key, pair.Value?.DeepClone())));
        return ProxyConfigurations.CatchAll(ClusterId, cluster);
    }

    /// <summary>Sends <paramref name="count"/> requests one after another and says which replica served how many.</summary>
    public static async Task<Dictionary<string, int>> TallyAsync(HttpClient client, int count, CancellationToken cancellationToken)
    {
        var tally = new Dictionary<string, int>();
        for (var i = 0; i < count; i++)
        {
            using var response = await client.GetAsync("/", cancellationToken);
            response.EnsureSuccessStatusCode();
            var replica = Assert.Single(response.Headers.GetValues("X-Replica"));
            tally[replica] = tally.GetValueOrDefault(replica) + 1;
        }

        return tally;
    }
}
