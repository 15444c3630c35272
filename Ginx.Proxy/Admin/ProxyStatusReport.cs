using Ginx.Proxy.Telemetry;

namespace Ginx.Proxy.Admin;

/// <summary>
/// What <c>GET /ginx/status</c> returns. <see cref="WindowSeconds"/> is how far back each
/// destination's requests/s, share and percentiles look; its history has one point per
/// <see cref="HistoryIntervalSeconds"/>.
/// </summary>
internal sealed record ProxyStatusReport(
    IReadOnlyList<ClusterStatus> Clusters,
    DateTimeOffset GeneratedAt,
    int WindowSeconds,
    int HistoryIntervalSeconds);

/// <summary>
/// One cluster in the status report. <see cref="Panic"/>: no destination is healthy, so balancing
/// uses every one not marked down.
/// </summary>
internal sealed record ClusterStatus(
    string Id,
    string Policy,
    IReadOnlyList<DestinationStatus> Destinations,
    bool Panic,
    double RequestsPerSecond);

/// <summary>
/// One destination in the status report. <see cref="Id"/> is YARP's id, which under service
/// discovery carries the resolved address (<c>backend-1[http://localhost:41234]</c>);
/// <see cref="Name"/> is the configured name the metrics use. <see cref="ProbeFailure"/> is why the
/// last active health probe failed: null when it passed, none has failed, or the cluster has no
/// active checks. <see cref="HealthReason"/> says why <see cref="Health"/> is what it is, in one
/// line (null for a plain healthy primary). The windowed figures cover the report's
/// <see cref="ProxyStatusReport.WindowSeconds"/>, measured at the proxy like
/// <c>ginx.proxy.request.duration</c>; <see cref="SharePercent"/> is this destination's part of
/// its cluster's requests then.
/// </summary>
internal sealed record DestinationStatus(
    string Id,
    string Name,
    string Address,
    string Health,
    double Weight,
    int ActiveRequests,
    long Requests,
    long Failures,
    double? EwmaLatencyMs,
    string? ProbeFailure,
    string? HealthReason,
    bool Backup,
    int? MaxConns,
    double RequestsPerSecond,
    double SharePercent,
    double? P50Ms,
    double? P99Ms,
    long Retries,
    long Ejections,
    DateTimeOffset? EjectedUntil,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    DestinationHistory History);
