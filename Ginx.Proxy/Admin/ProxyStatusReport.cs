namespace Ginx.Proxy.Admin;

/// <summary>What <c>GET /ginx/status</c> returns.</summary>
internal sealed record ProxyStatusReport(IReadOnlyList<ClusterStatus> Clusters);

/// <summary>One cluster in the status report.</summary>
internal sealed record ClusterStatus(string Id, string Policy, IReadOnlyList<DestinationStatus> Destinations);

/// <summary>
/// One destination in the status report. <see cref="Id"/> is YARP's id, which under service
/// discovery carries the resolved address (<c>backend-1[http://localhost:41234]</c>);
/// <see cref="Name"/> is the configured name the metrics use. <see cref="ProbeFailure"/> is why the
/// last active health probe failed: null when it passed, none has failed, or the cluster has no
/// active checks.
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
    string? ProbeFailure);
