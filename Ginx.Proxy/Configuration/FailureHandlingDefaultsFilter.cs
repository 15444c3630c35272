using Ginx.Proxy.Health;
using Ginx.Proxy.Retries;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Ginx.Proxy.Configuration;

/// <summary>
/// Gives every cluster Ginx's failure handling unless it configures its own: passive health with
/// <see cref="GinxPassiveHealthPolicies.MaxFailsAndOutliers"/>, and the try timeout as YARP's
/// activity timeout. A cluster that sets either itself keeps what it set.
/// </summary>
internal sealed class FailureHandlingDefaultsFilter(IOptions<RetryOptions> retryDefaults) : IProxyConfigFilter
{
    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel)
    {
        var healthCheck = cluster.HealthCheck ?? new HealthCheckConfig();
        if (healthCheck.Passive is null)
        {
            cluster = cluster with
            {
                HealthCheck = healthCheck with
                {
                    Passive = new PassiveHealthCheckConfig { Enabled = true, Policy = GinxPassiveHealthPolicies.MaxFailsAndOutliers },
                },
            };
        }

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
