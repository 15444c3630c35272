namespace Ginx.Proxy.Forwarding;

/// <summary>
/// How many times the request was sent to a destination. The retry middleware sets it; telemetry
/// reads it to tell a request that succeeded at once from one that needed retries. Absent means
/// one attempt.
/// </summary>
internal sealed class ProxyAttemptsFeature
{
    public int Attempts { get; set; }
}
