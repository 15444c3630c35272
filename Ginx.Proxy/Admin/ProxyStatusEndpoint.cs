using Ginx.Proxy.Telemetry;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.Admin;

/// <summary><c>GET /ginx/status</c>: every cluster, its policy, and what each destination is doing.</summary>
internal static class ProxyStatusEndpoint
{
    public const string Path = "/ginx/status";

    public static ProxyStatusReport Report(IProxyStateLookup state, DestinationCounters counters, IDestinationBalancingStatus balancing)
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
                    return new DestinationStatus(
                        destination.DestinationId,
                        counter.Name,
                        destination.Model.Config.Address,
                        DestinationCondition.Of(destination, AvailableDestinations.Contains(cluster, destination)),
                        balancing.Weight(cluster, destination),
                        destination.ConcurrentRequestCount,
                        counter.Requests,
                        counter.Failures,
                        balancing.EwmaLatencyMs(cluster, destination),
                        activelyChecked ? counter.ProbeFailure : null);
                })
                .ToList();

            clusters.Add(new ClusterStatus(
                cluster.ClusterId,
                cluster.Model.Config.LoadBalancingPolicy ?? LoadBalancingPolicies.PowerOfTwoChoices,
                destinations));
        }

        return new ProxyStatusReport(clusters);
    }

}
