using Ginx.Proxy.Admin;
using Ginx.Proxy.LoadBalancing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Configuration.ClusterValidators;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Ginx's load balancing.</summary>
public static class GinxLoadBalancingExtensions
{
    /// <summary>
    /// Adds the <see cref="GinxLoadBalancingPolicies"/>, validation of the balancing metadata, and the
    /// <see cref="GinxAvailableDestinationsPolicies.PrimaryBackupOrPanic"/> available-destinations policy
    /// as the default of every cluster that names none. Pair with <c>UseGinxLoadBalancing()</c> in the
    /// proxy pipeline, in place of YARP's <c>UseLoadBalancing()</c>.
    /// </summary>
    public static IReverseProxyBuilder AddGinxLoadBalancing(this IReverseProxyBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(
        [
            ServiceDescriptor.Singleton<ILoadBalancingPolicy, WeightedRoundRobinLoadBalancingPolicy>(),
            ServiceDescriptor.Singleton<ILoadBalancingPolicy, WeightedLeastRequestsLoadBalancingPolicy>(),
            ServiceDescriptor.Singleton<ILoadBalancingPolicy, ConsistentHashLoadBalancingPolicy>(),
            ServiceDescriptor.Singleton<ILoadBalancingPolicy, PeakEwmaLoadBalancingPolicy>(),
        ]);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAvailableDestinationsPolicy, PrimaryBackupOrPanicDestinationsPolicy>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IClusterValidator, LoadBalancingMetadataValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProxyConfigFilter, DefaultAvailableDestinationsPolicyFilter>());

        // What the status API reports of each destination's weight (slow start included) and latency.
        services.TryAddSingleton<IDestinationBalancingStatus, GinxDestinationBalancingStatus>();
        return builder;
    }
}
