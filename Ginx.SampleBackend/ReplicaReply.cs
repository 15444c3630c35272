namespace Ginx.SampleBackend;

/// <summary>
/// What a replica answers on <c>GET /</c>: who served the request, and the request as the replica
/// saw it after the balancer, forwarding headers and trace context included.
/// </summary>
public sealed record ReplicaReply(
    string Replica,
    int Pid,
    string Method,
    string Path,
    string? Traceparent,
    string? XForwardedFor,
    string? XForwardedProto,
    string? XForwardedHost)
{
    /// <summary>Describes <paramref name="request"/> as served by <paramref name="replica"/>.</summary>
    public static ReplicaReply Describe(HttpRequest request, string replica) => new(
        replica,
        Environment.ProcessId,
        request.Method,
        request.Path.Value ?? "/",
        request.Headers.TraceParent,
        request.Headers["X-Forwarded-For"],
        request.Headers["X-Forwarded-Proto"],
        request.Headers["X-Forwarded-Host"]);
}
