using Microsoft.AspNetCore.Http;

namespace Ginx.ServiceDefaults;

/// <summary>The paths of the health endpoints every Ginx service exposes.</summary>
public static class HealthEndpoints
{
    /// <summary>Readiness: every registered health check passes. Balancers probe this one.</summary>
    public const string ReadinessPath = "/health";

    /// <summary>Liveness: only checks tagged <see cref="LiveTag"/> run, so a busy dependency never restarts a process.</summary>
    public const string LivenessPath = "/alive";

    /// <summary>The tag of health checks that decide liveness.</summary>
    public const string LiveTag = "live";

    internal static bool IsHealthPath(PathString path) =>
        path.StartsWithSegments(ReadinessPath) || path.StartsWithSegments(LivenessPath);
}
