namespace Ginx.Proxy.Utilities;

/// <summary>
/// Every id Ginx's logs carry, in one list so none is used twice: from 1 the configuration, from
/// 20 telemetry's news about destinations, from 30 retries, from 40 the nginx configuration file, from 50 memory,
/// from 60 the proxy's own failures.
/// </summary>
internal static class EventIds
{
    public const int ClusterConfigured = 1;
    public const int RouteConfigured = 2;
    public const int ReloadRejected = 3;
    public const int StartupRejected = 4;
    public const int ConfigurationFileRejected = 5;
    public const int ConfigurationFileApplied = 6;

    public const int DestinationEjected = 20;
    public const int DestinationAvailabilityChanged = 21;
    public const int ActiveHealthProbeFailed = 22;
    public const int ActiveHealthProbePassedAgain = 23;

    public const int Retrying = 30;

    public const int NginxConfApplied = 40;
    public const int NginxConfReloadRejected = 41;

    public const int IdleHeapCompacted = 50;

    public const int ProxyFailed = 60;
}
