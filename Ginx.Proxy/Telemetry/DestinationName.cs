namespace Ginx.Proxy.Telemetry;

/// <summary>
/// The name a destination was configured with. Service discovery rewrites a destination it resolves
/// into <c>backend-1[http://localhost:41234]</c>; the address part changes whenever the replica
/// restarts on another port, so metric tags use the name alone and stay one series per replica.
/// </summary>
public static class DestinationName
{
    /// <summary>Strips a trailing <c>[address]</c> that service discovery appended, if any.</summary>
    public static string Of(string destinationId)
    {
        ArgumentNullException.ThrowIfNull(destinationId);
        var bracket = destinationId.IndexOf('[', StringComparison.Ordinal);
        return bracket > 0 && destinationId.EndsWith(']') ? destinationId[..bracket] : destinationId;
    }
}
