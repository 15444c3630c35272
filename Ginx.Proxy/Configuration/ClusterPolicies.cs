using System.Collections.Frozen;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.LoadBalancing;

namespace Ginx.Proxy.Configuration;

/// <summary>The policies a cluster runs with, its configuration's defaults filled in.</summary>
internal static class ClusterPolicies
{
    /// <summary>The load-balancing policy that picks for <paramref name="cluster"/>: the one it names, else YARP's default.</summary>
    public static string EffectiveName(ClusterConfig cluster) => cluster.LoadBalancingPolicy ?? LoadBalancingPolicies.PowerOfTwoChoices;

    /// <summary>The registered load-balancing policies by name, matched as YARP matches a cluster's: ignoring case.</summary>
    public static FrozenDictionary<string, ILoadBalancingPolicy> LoadBalancingByName(IEnumerable<ILoadBalancingPolicy> policies) =>
        policies.ToFrozenDictionary(policy => policy.Name, StringComparer.OrdinalIgnoreCase);
}
