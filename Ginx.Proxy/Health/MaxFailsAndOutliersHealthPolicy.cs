using System.Runtime.CompilerServices;
using Ginx.Proxy.Configuration;
using Ginx.Proxy.Retries;
using Ginx.Proxy.Telemetry;
using Ginx.Proxy.Upstream;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.Health;

/// <summary>
/// Passive health from the traffic itself. Every attempt that fails (a transport failure, a
/// timeout, or a status the cluster's <c>RetryOn</c> names) counts against nginx's
/// <c>MaxFails</c> within <c>FailTimeout</c>; every 5xx or gateway error counts towards Envoy's
/// consecutive-5xx ejection; and every <c>SuccessRateInterval</c> the destinations' success rates are
/// compared. Like YARP's own policies it never flips health itself: it reports through
/// <see cref="IDestinationHealthUpdater"/>, which brings the destination back after the ejection.
/// </summary>
internal sealed class MaxFailsAndOutliersHealthPolicy(
    IDestinationHealthUpdater healthUpdater,
    ClusterSettingsCache<PassiveHealthOptions> healthSettings,
    ClusterSettingsCache<RetryOptions> retrySettings,
    ProxyMetrics metrics,
    TimeProvider time) : IAttemptResultHealthPolicy
{
    private readonly ConditionalWeakTable<DestinationState, DestinationFailureTracker> _trackers = new();
    private readonly ConditionalWeakTable<ClusterState, SuccessRateClock> _clocks = new();

    public string Name => GinxPassiveHealthPolicies.MaxFailsAndOutliers;

    public void RequestProxied(HttpContext context, ClusterState cluster, DestinationState destination) =>
        AttemptEnded(cluster, destination, AttemptResult.Of(context), time.GetTimestamp());

    public void AttemptEnded(ClusterState cluster, DestinationState destination, AttemptResult result, long timestamp)
    {
        if (result.Verdict == AttemptVerdict.NotTheDestinationsFault)
        {
            return;
        }

        var config = cluster.Model.Config;
        var options = healthSettings.For(config);
        var tracker = _trackers.GetOrCreateValue(destination);

        if (result.IsDestinationFailure)
        {
            var countsForMaxFails = (result.Condition & retrySettings.For(config).Conditions) != 0;
            switch (tracker.Failed(timestamp, countsForMaxFails, options, time))
            {
                case EjectionReason.MaxFails:
                    Eject(cluster, destination, tracker, EjectionReason.MaxFails, options, timestamp);
                    break;
                // An ejected destination still meets requests (panic mode, a retry's last resort):
                // failing there again must not count as another ejection, or its next one grows.
                case EjectionReason.Consecutive5xx when destination.Health.Passive != DestinationHealth.Unhealthy
                                                        && WithinEjectionCap(cluster, options):
                    Eject(cluster, destination, tracker, EjectionReason.Consecutive5xx, options, timestamp);
                    break;
            }
        }
        else
        {
            tracker.Succeeded();
        }

        if (options.SuccessRateStdevFactor > 0 && _clocks.GetOrCreateValue(cluster).IsDue(timestamp, options.SuccessRateInterval, time))
        {
            EjectSuccessRateOutliers(cluster, options, timestamp);
        }
    }

    private void EjectSuccessRateOutliers(ClusterState cluster, PassiveHealthOptions options, long now)
    {
        var destinations = cluster.DestinationsState.AllDestinations;
        var rates = new (DestinationState Destination, double Rate)[destinations.Count];
        var judged = 0;
        foreach (var destination in destinations)
        {
            var (requests, successes) = _trackers.GetOrCreateValue(destination).TakeInterval();
            if (requests >= options.SuccessRateRequestVolume)
            {
                rates[judged++] = (destination, (double)successes / requests);
            }
        }

        if (judged < options.SuccessRateMinimumHosts)
        {
            return;
        }

        var mean = 0.0;
        for (var i = 0; i < judged; i++)
        {
            mean += rates[i].Rate;
        }

        mean /= judged;
        var variance = 0.0;
        for (var i = 0; i < judged; i++)
        {
            variance += (rates[i].Rate - mean) * (rates[i].Rate - mean);
        }

        var threshold = mean - (options.SuccessRateStdevFactor * Math.Sqrt(variance / judged));
        for (var i = 0; i < judged; i++)
        {
            var (destination, rate) = rates[i];
            if (rate < threshold && destination.Health.Passive != DestinationHealth.Unhealthy && WithinEjectionCap(cluster, options))
            {
                Eject(cluster, destination, _trackers.GetOrCreateValue(destination), EjectionReason.SuccessRate, options, now);
            }
        }
    }

    // Outlier detection never ejects more than MaxEjectionPercent of the cluster: beyond that the
    // "outliers" are the cluster, and taking them out would only pile their load on the rest. Of the
    // cluster as the operator sized it, that is: counting destinations marked Down, which never take
    // traffic, would let more of those that do be ejected. Those failed by health checks still count:
    // they are part of the cluster and come back by themselves.
    private static bool WithinEjectionCap(ClusterState cluster, PassiveHealthOptions options)
    {
        var serving = 0;
        var ejected = 1;
        foreach (var destination in cluster.DestinationsState.AllDestinations)
        {
            if (DestinationAvailability.IsDown(destination))
            {
                continue;
            }

            serving++;
            if (destination.Health.Passive == DestinationHealth.Unhealthy)
            {
                ejected++;
            }
        }

        return ejected * 100 <= options.MaxEjectionPercent * serving;
    }

    // A replica that dies with requests in flight fails them all at once, and each failure may trip
    // a detector before the first ejection has marked the destination: only one of them ejects, so
    // the metric, the log and the length of the next outlier ejection count it once.
    private void Eject(
        ClusterState cluster, DestinationState destination, DestinationFailureTracker tracker, EjectionReason reason, PassiveHealthOptions options, long now)
    {
        if (!tracker.TryBeginEjection())
        {
            return;
        }

        try
        {
            // Checked once claimed: a request that saw the destination healthy before another ejected it
            // finds it ejected here.
            if (destination.Health.Passive == DestinationHealth.Unhealthy)
            {
                return;
            }

            var length = reason == EjectionReason.MaxFails ? options.FailTimeout : tracker.NextEjectionTime(now, options, time);
            metrics.DestinationEjected(cluster.ClusterId, destination, EjectionReasons.Name(reason), length);
            healthUpdater.SetPassive(cluster, destination, DestinationHealth.Unhealthy, length);
        }
        finally
        {
            tracker.EndEjection();
        }
    }

    /// <summary>Lets exactly one request per interval compare success rates.</summary>
    private sealed class SuccessRateClock
    {
        private long _due;

        public bool IsDue(long now, TimeSpan interval, TimeProvider time)
        {
            var due = Volatile.Read(ref _due);
            if (due == 0)
            {
                Interlocked.CompareExchange(ref _due, now + Ticks(interval, time), 0);
                return false;
            }

            return now >= due && Interlocked.CompareExchange(ref _due, now + Ticks(interval, time), due) == due;
        }

        private static long Ticks(TimeSpan interval, TimeProvider time) =>
            (long)(interval.TotalSeconds * time.TimestampFrequency);
    }
}
