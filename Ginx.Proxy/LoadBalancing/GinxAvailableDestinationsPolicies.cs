namespace Ginx.Proxy.LoadBalancing;

/// <summary>
/// The names of Ginx's available-destinations policies, for a cluster's
/// <c>HealthCheck:AvailableDestinationsPolicy</c>. A cluster that names none gets
/// <see cref="PrimaryBackupOrPanic"/>.
/// </summary>
public static class GinxAvailableDestinationsPolicies
{
    /// <summary>
    /// Never a <c>Down</c> destination; the healthy (or not yet probed) primaries; if there are none,
    /// the healthy backups; if there are none either, every destination not <c>Down</c>: trying them
    /// all beats failing every request (Envoy's panic mode).
    /// </summary>
    public static string PrimaryBackupOrPanic => nameof(PrimaryBackupOrPanic);
}
