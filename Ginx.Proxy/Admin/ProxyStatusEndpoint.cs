using Ginx.Proxy.Configuration;
using Ginx.Proxy.Telemetry;
using Ginx.Proxy.Upstream;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.Admin;

/// <summary><c>GET /ginx/status</c>: every cluster, its policy, and what each destination is doing.</summary>
internal static class ProxyStatusEndpoint
{
    public const string Path = "/ginx/status";

    public static ProxyStatusReport Report(IProxyStateLookup state, IEnumerable<ILoadBalancingPolicy> policies, DestinationCounters counters, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var second = DestinationWindow.SecondOf(time, time.GetTimestamp());
        var clusters = new List<ClusterStatus>();
        var policiesByName = ClusterPolicies.LoadBalancingByName(policies);
        foreach (var cluster in state.GetClusters().OrderBy(cluster => cluster.ClusterId, StringComparer.Ordinal))
        {
            var destinations = cluster.Destinations.Values
                .OrderBy(destination => destination.DestinationId, StringComparer.Ordinal)
                .Select(destination => (destination, counter: counters.For(destination)))
                .Select(entry => (entry.destination, entry.counter, window: entry.counter.Window.Window(second)))
                .ToList();
            var requests = destinations.Sum(entry => entry.window.Requests);
            var panic = InPanic(cluster);

            // A reload that turns active checks off leaves the last reason behind; it no longer holds.
            var activelyChecked = cluster.Model.Config.HealthCheck?.Active?.Enabled == true;
            var policy = ClusterPolicies.EffectiveName(cluster.Model.Config);
            var weightShare = policiesByName.GetValueOrDefault(policy) as IWeightSharePolicy;
            var statuses = destinations.Select(entry =>
            {
                var (destination, counter, window) = entry;
                var settings = DestinationSettings.Of(destination);
                var balancing = DestinationBalancingStatus.Of(destination, settings, time, weightShare);
                var condition = DestinationCondition.Of(cluster, destination);
                var probeFailure = activelyChecked ? counter.ProbeFailure : null;
                var ejection = StillEjected(destination, counter.LastEjection, now);
                var lastError = counter.LastError;
                var reason = DestinationHealthReason.Of(destination, condition, settings.Backup, panic, activelyChecked, probeFailure, ejection, now);
                return new DestinationStatus(
                    destination.DestinationId,
                    counter.Name,
                    destination.Model.Config.Address,
                    condition,
                    balancing.EffectiveWeight,
                    destination.ConcurrentRequestCount,
                    counter.Requests,
                    counter.Failures,
                    balancing.LatencyMs,
                    probeFailure,
                    reason,
                    settings.Backup,
                    settings.HasMaxConns ? settings.MaxConns : null,
                    (double)window.Requests / DestinationWindow.WindowSeconds,
                    requests == 0 ? 0 : 100.0 * window.Requests / requests,
                    window.P50Ms,
                    window.P99Ms,
                    counter.Retries,
                    counter.Ejections,
                    ejection?.Until,
                    lastError?.Text,
                    lastError?.At,
                    counter.Window.History(second));
            }).ToList();

            clusters.Add(new ClusterStatus(
                cluster.ClusterId,
                policy,
                statuses,
                panic,
                (double)requests / DestinationWindow.WindowSeconds));
        }

        return new ProxyStatusReport(clusters, now, DestinationWindow.WindowSeconds, DestinationWindow.HistoryIntervalSeconds);
    }

    /// <summary>
    /// The destination's last ejection while it still holds: passive health keeps the destination
    /// out and the ejection has not run out. Null otherwise, when the last one is history.
    /// </summary>
    private static Ejection? StillEjected(DestinationState destination, Ejection? last, DateTimeOffset now) =>
        last is not null && last.Until > now && destination.Health.Passive == DestinationHealth.Unhealthy ? last : null;

    /// <summary>
    /// Whether balancing uses destinations a health check failed: by the availability rule it does
    /// only when none is healthy (panic), since otherwise the available set holds healthy ones alone.
    /// </summary>
    private static bool InPanic(ClusterState cluster)
    {
        foreach (var destination in cluster.DestinationsState.AvailableDestinations)
        {
            if (DestinationAvailability.FailedByHealthCheck(destination, cluster.Model.Config))
            {
                return true;
            }
        }

        return false;
    }
}
