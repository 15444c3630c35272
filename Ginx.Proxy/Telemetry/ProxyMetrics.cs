using System.Diagnostics;
using System.Diagnostics.Metrics;
using Ginx.Proxy.Upstream;
using Ginx.Proxy.Utilities;
using Ginx.ServiceDefaults;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.Telemetry;

/// <summary>
/// Ginx's instruments on the <see cref="GinxTelemetry.ProxySourceName"/> meter. Requests are
/// recorded once per proxied request by <see cref="ProxyRequestRecorder"/>; retries and
/// ejections by the code that decides them; active requests and health are read from YARP's state
/// when a collector asks, so the hot path pays nothing for them.
/// </summary>
internal sealed partial class ProxyMetrics
{
    /// <summary>Bucket boundaries in seconds: fine below 100 ms where most answers land, coarse up to a minute.</summary>
    internal static readonly double[] DurationBuckets =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 10, 30, 60];

    // Status codes boxed once: a tag value is an object, and a box per request would be garbage.
    private static readonly object[] BoxedStatusCodes = BoxStatusCodes();

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _ejections;
    private readonly Lazy<IProxyStateLookup> _state;
    private readonly DestinationCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger<ProxyMetrics> _logger;

    // The state lookup is YARP's config manager, whose validators reach the passive health policy,
    // which reports ejections here: taken eagerly, that is a dependency cycle.
    public ProxyMetrics(IMeterFactory meterFactory, IServiceProvider services, DestinationCounters counters, TimeProvider time, ILogger<ProxyMetrics> logger)
    {
        _state = new Lazy<IProxyStateLookup>(services.GetRequiredService<IProxyStateLookup>);
        _counters = counters;
        _time = time;
        _logger = logger;
        var meter = meterFactory.Create(GinxTelemetry.ProxySourceName);

        _requests = meter.CreateCounter<long>(
            "ginx.proxy.requests", "{request}", "Requests the proxy forwarded or rejected, by final outcome.");
        _duration = meter.CreateHistogram(
            "ginx.proxy.request.duration", "s", "Time from the proxy receiving a request to its final answer.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        meter.CreateObservableUpDownCounter(
            "ginx.proxy.active_requests", ObserveActiveRequests, "{request}", "Requests in flight to each destination.");
        _retries = meter.CreateCounter<long>(
            "ginx.proxy.retries", "{retry}", "Attempts the proxy sent again after a failed one.");
        meter.CreateObservableGauge(
            "ginx.proxy.destination.health", ObserveHealth, "1", "1 while the destination is available for balancing, else 0.");
        _ejections = meter.CreateCounter<long>(
            "ginx.proxy.ejections", "{ejection}", "Destinations taken out of balancing for misbehaving.");
    }

    /// <summary>Records one proxied request. <paramref name="destination"/> is null when none was tried.</summary>
    public void RequestCompleted(string clusterId, string? destination, int statusCode, string outcome, TimeSpan duration)
    {
        // Without a listener (no exporter, no dotnet-counters) the tags would be built for nothing.
        if (!_duration.Enabled && !_requests.Enabled)
        {
            return;
        }

        var tags = new TagList { { ProxyTelemetryTags.Cluster, clusterId } };
        if (destination is not null)
        {
            tags.Add(ProxyTelemetryTags.Destination, destination);
        }

        _duration.Record(duration.TotalSeconds, tags);

        tags.Add(ProxyTelemetryTags.StatusCode, (uint)statusCode < BoxedStatusCodes.Length ? BoxedStatusCodes[statusCode] : statusCode);
        tags.Add(ProxyTelemetryTags.Outcome, outcome);
        _requests.Add(1, tags);
    }

    /// <summary>Counts an attempt about to be sent again, with why the previous one, on <paramref name="failed"/>, failed.</summary>
    public void RetryAttempted(string clusterId, DestinationState failed, string reason)
    {
        _retries.Add(1, new KeyValuePair<string, object?>(ProxyTelemetryTags.Cluster, clusterId),
            new KeyValuePair<string, object?>(ProxyTelemetryTags.RetryReason, reason));
        _counters.For(failed).RetriedAway(reason);
    }

    /// <summary>Counts and logs a destination taken out of balancing, with why and for how long.</summary>
    public void DestinationEjected(string clusterId, DestinationState ejected, string reason, TimeSpan length)
    {
        var counter = _counters.For(ejected);
        counter.Ejected(reason, _time.GetUtcNow() + length);
        var destination = counter.Name;
        _ejections.Add(1, new KeyValuePair<string, object?>(ProxyTelemetryTags.Cluster, clusterId),
            new KeyValuePair<string, object?>(ProxyTelemetryTags.Destination, destination),
            new KeyValuePair<string, object?>(ProxyTelemetryTags.EjectionReason, reason));
        LogEjected(_logger, clusterId, destination, reason, length);
    }

    private List<Measurement<int>> ObserveActiveRequests() => Observe(static (_, destination) => destination.ConcurrentRequestCount);

    private List<Measurement<int>> ObserveHealth() => Observe(static (cluster, destination) =>
        AvailableDestinations.Contains(cluster, destination) ? 1 : 0);

    private List<Measurement<int>> Observe(Func<ClusterState, DestinationState, int> value)
    {
        var measurements = new List<Measurement<int>>();
        foreach (var cluster in _state.Value.GetClusters())
        {
            foreach (var destination in cluster.Destinations.Values)
            {
                measurements.Add(new Measurement<int>(value(cluster, destination),
                    new KeyValuePair<string, object?>(ProxyTelemetryTags.Cluster, cluster.ClusterId),
                    new KeyValuePair<string, object?>(ProxyTelemetryTags.Destination, DestinationName.Of(destination.DestinationId))));
            }
        }

        return measurements;
    }

    private static object[] BoxStatusCodes()
    {
        var boxed = new object[600];
        for (var i = 0; i < boxed.Length; i++)
        {
            boxed[i] = i;
        }

        return boxed;
    }

    [LoggerMessage(EventId = EventIds.DestinationEjected, Level = LogLevel.Warning,
        Message = "Destination '{Destination}' of cluster '{Cluster}' ejected for {Length}: {Reason}")]
    private static partial void LogEjected(ILogger logger, string cluster, string destination, string reason, TimeSpan length);
}
