namespace Ginx.AppHost;

/// <summary>The part of the proxy's <c>GET /ginx/status</c> the AppHost shows on each replica.</summary>
internal sealed record ProxyStatusSnapshot(IReadOnlyList<ProxyClusterSnapshot> Clusters);

/// <summary>One cluster of the proxy's status.</summary>
internal sealed record ProxyClusterSnapshot(string Id, IReadOnlyList<ProxyDestinationSnapshot> Destinations);

/// <summary>One destination as the proxy sees it, over the status API's 10 s window.</summary>
internal sealed record ProxyDestinationSnapshot(
    string Name,
    string Health,
    string? HealthReason,
    double RequestsPerSecond,
    double SharePercent,
    double? P99Ms);
