using Ginx.Proxy.Upstream;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Configuration.ClusterValidators;

namespace Ginx.Proxy.LoadBalancing;

/// <summary>
/// Rejects a cluster whose balancing metadata Ginx could not honour, one error per bad value, each
/// naming the cluster, the destination, the key and the value. At start-up that stops the proxy; on a
/// reload YARP rejects the new configuration and the previous one keeps serving.
/// </summary>
internal sealed class LoadBalancingMetadataValidator : IClusterValidator
{
    public ValueTask ValidateAsync(ClusterConfig cluster, IList<Exception> errors)
    {
        if (cluster.Metadata?.TryGetValue(HashKey.MetadataKey, out var hashKey) == true && !HashKey.TryParse(hashKey, out _))
        {
            errors.Add(new ArgumentException(
                $"Cluster '{cluster.ClusterId}': metadata '{HashKey.MetadataKey}' = '{hashKey}' is not one of 'header:NAME', 'cookie:NAME', 'query:NAME', 'path', 'path-and-query', 'client-ip'."));
        }

        var problems = new List<string>();
        foreach (var (destinationId, destination) in cluster.Destinations ?? new Dictionary<string, DestinationConfig>())
        {
            problems.Clear();
            DestinationMetadata.Parse(destination.Metadata, problems);
            foreach (var problem in problems)
            {
                errors.Add(new ArgumentException($"Cluster '{cluster.ClusterId}', destination '{destinationId}': {problem}"));
            }
        }

        return ValueTask.CompletedTask;
    }
}
