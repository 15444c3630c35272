namespace Ginx.Proxy.Health;

/// <summary>Names of Ginx's passive health policies, for a cluster's <c>HealthCheck:Passive:Policy</c>.</summary>
public static class GinxPassiveHealthPolicies
{
    /// <summary>
    /// nginx's <c>max_fails</c>/<c>fail_timeout</c> together with Envoy's outlier detection. Ginx
    /// turns it on for every cluster that does not configure passive health itself.
    /// </summary>
    public static string MaxFailsAndOutliers => nameof(MaxFailsAndOutliers);
}
