using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Ginx.Proxy.Retries;

/// <summary>
/// Makes the cluster's <see cref="RetryOptions.TryTimeout"/> YARP's activity timeout, unless the
/// cluster sets an activity timeout itself: that is the limit that ends a try.
/// </summary>
internal sealed class TryTimeoutDefaultsFilter(IOptions<RetryOptions> retryDefaults) : IProxyConfigFilter
{
    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel)
    {
        // Invalid overrides are reported by the validator, which runs after the filters.
        var retry = retryDefaults.Value.ResolveFor(cluster, new List<string>());
        if (retry.TryTimeout is { } tryTimeout && cluster.HttpRequest?.ActivityTimeout is null)
        {
            cluster = cluster with
            {
                HttpRequest = (cluster.HttpRequest ?? ForwarderRequestConfig.Empty) with { ActivityTimeout = tryTimeout },
            };
        }

        return ValueTask.FromResult(cluster);
    }

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel) =>
        ValueTask.FromResult(route);
}
