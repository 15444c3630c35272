using Yarp.ReverseProxy.Configuration;

namespace Ginx.Proxy.Health;

/// <summary>
/// Gives every cluster that does not configure passive health itself Ginx's:
/// <see cref="GinxPassiveHealthPolicies.MaxFailsAndOutliers"/>. A cluster that sets its own keeps it.
/// </summary>
internal sealed class PassiveHealthDefaultsFilter : IProxyConfigFilter
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

        return ValueTask.FromResult(cluster);
    }

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel) =>
        ValueTask.FromResult(route);
}
