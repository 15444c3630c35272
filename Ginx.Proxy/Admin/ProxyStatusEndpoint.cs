using Ginx.Proxy.Configuration;
using Ginx.Proxy.Telemetry;
using Ginx.Proxy.Upstream;
using Yarp.ReverseProxy;

namespace Ginx.Proxy.Admin;

/// <summary><c>GET /ginx/status</c>: every cluster, its policy, and what each destination is doing.</summary>
internal static class ProxyStatusEndpoint
{
    public const string Path = "/ginx/status";

    public static ProxyStatusReport Report(IProxyStateLookup state, DestinationCounters counters, TimeProvider time)
    {
        var clusters = new List<ClusterStatus>();
        foreach (var cluster in state.GetClusters().OrderBy(cluster => cluster.ClusterId, StringComparer.Ordinal))
        {
            // A reload that turns active checks off leaves the last reason behind; it no longer holds.
            var activelyChecked = cluster.Model.Config.HealthCheck?.Active?.Enabled == true;
            var destinations = cluster.Destinations.Values
                .OrderBy(destination => destination.DestinationId, StringComparer.Ordinal)
                .Select(destination =>
                {
                    var counter = counters.For(destination);
                    var balancing = DestinationBalancingStatus.Of(destination, time);
                    return new DestinationStatus(
                        destination.DestinationId,
                        counter.Name,
                        destination.Model.Config.Address,
                        DestinationCondition.Of(cluster, destination),
                        balancing.EffectiveWeight,
                        destination.ConcurrentRequestCount,
                        counter.Requests,
                        counter.Failures,
                        balancing.LatencyMs,
                        activelyChecked ? counter.ProbeFailure : null);
                })
                .ToList();

            clusters.Add(new ClusterStatus(
                cluster.ClusterId,
                ClusterPolicies.EffectiveName(cluster.Model.Config),
                destinations));
        }

        return new ProxyStatusReport(clusters);
    }

}
