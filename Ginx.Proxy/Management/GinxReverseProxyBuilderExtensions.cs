using System.Diagnostics.CodeAnalysis;
using Ginx.Proxy.Configuration;
using Ginx.Proxy.Health;
using Ginx.Proxy.LoadBalancing;
using Ginx.Proxy.NginxConf;
using Ginx.Proxy.Retries;
using Ginx.Proxy.Telemetry;
using Ginx.Proxy.Upstream;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Configuration.ClusterValidators;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Ginx's features on YARP: load balancing, failure handling (retries, passive health) and telemetry.</summary>
public static class GinxReverseProxyBuilderExtensions
{
    /// <summary>
    /// Adds the <see cref="GinxLoadBalancingPolicies"/>, validation of the balancing metadata, and the
    /// <see cref="GinxAvailableDestinationsPolicies.PrimaryBackupOrPanic"/> available-destinations policy
    /// as the default of every cluster that names none. Pair with <c>UseGinxLoadBalancing()</c> in the
    /// proxy pipeline, in place of YARP's <c>UseLoadBalancing()</c>.
    /// </summary>
    public static IReverseProxyBuilder AddGinxLoadBalancing(this IReverseProxyBuilder builder)
    {
        var services = AddGinxUpstream(builder).Services;
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
        services.TryAddSingleton<AttemptFeedback>();
        return builder;
    }

    /// <summary>
    /// Adds retries (<c>Ginx:Retries</c>) and passive health (<c>Ginx:PassiveHealth</c>), both
    /// overridable per cluster through metadata. Retrying also needs the retry middleware in the
    /// proxy pipeline, which <c>MapGinxProxy</c> adds.
    /// </summary>
    public static IReverseProxyBuilder AddGinxFailureHandling(this IReverseProxyBuilder builder)
    {
        var services = AddGinxUpstream(builder).Services;
        // Bound here, on each concrete type, so the binding source generator can write the code.
        AddClusterSettings(services.AddOptions<RetryOptions>().BindConfiguration(RetryOptions.SectionName), RetryOptions.SectionName);
        AddClusterSettings(services.AddOptions<PassiveHealthOptions>().BindConfiguration(PassiveHealthOptions.SectionName), PassiveHealthOptions.SectionName);

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPassiveHealthCheckPolicy, MaxFailsAndOutliersHealthPolicy>());
        services.TryAddSingleton<RequestRetries>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProxyConfigFilter, PassiveHealthDefaultsFilter>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProxyConfigFilter, TryTimeoutDefaultsFilter>());
        return builder;
    }

    private static void AddClusterSettings<[DynamicallyAccessedMembers(ClusterSettingsMembers.Read)] TSettings>(OptionsBuilder<TSettings> options, string sectionName)
        where TSettings : ClusterSettings<TSettings>
    {
        var services = options.Services;
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TSettings>>(
            new ClusterSettingsDefaultsValidator<TSettings>(sectionName)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IClusterValidator, ClusterSettingsValidator<TSettings>>());
        services.TryAddSingleton<ClusterSettingsCache<TSettings>>();
    }

    /// <summary>
    /// Adds <c>ProxyMetrics</c>, the counters the status API reads, a log line whenever a
    /// destination becomes unavailable or available again, and one when it starts failing its active
    /// health probes, and why. Call after YARP's own registrations: the active health policies
    /// registered by then are the ones whose probes are logged.
    /// </summary>
    public static IReverseProxyBuilder AddGinxTelemetry(this IReverseProxyBuilder builder)
    {
        var services = AddGinxUpstream(builder).Services;
        services.AddMetrics();
        services.TryAddSingleton<ProxyMetrics>();
        services.TryAddSingleton<DestinationCounters>();
        services.TryAddSingleton<ProxyRequestRecorder>();

        if (Decorate<IClusterDestinationsUpdater, DestinationAvailabilityLog>(services) == 0)
        {
            throw new InvalidOperationException("AddGinxTelemetry must be called after AddReverseProxy.");
        }

        Decorate<IActiveHealthCheckPolicy, ActiveHealthProbeLog>(services);

        return builder;
    }

    /// <summary>
    /// Wraps every registration of <typeparamref name="TService"/> in a <typeparamref name="TDecorator"/>,
    /// which takes the registered one as its inner service and the rest from the container, keeping
    /// each registration's place and lifetime. Returns how many it wrapped.
    /// </summary>
    private static int Decorate<TService, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TDecorator>(IServiceCollection services)
        where TService : class
        where TDecorator : TService
    {
        var decorated = 0;
        for (var i = 0; i < services.Count; i++)
        {
            var registration = services[i];
            if (registration.ServiceType == typeof(TService) && !registration.IsKeyedService)
            {
                services[i] = ServiceDescriptor.Describe(typeof(TService),
                    provider => ActivatorUtilities.CreateInstance<TDecorator>(provider, Create(provider, registration)),
                    registration.Lifetime);
                decorated++;
            }
        }

        return decorated;
    }

    private static object Create(IServiceProvider provider, ServiceDescriptor descriptor) =>
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(provider)
        ?? ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!);

    /// <summary>
    /// What every feature shares: the clock, the transform that keeps each request's attempts
    /// (<see cref="ProxyAttemptFeature"/>) on every route, and the one that drops the headers a
    /// <c>Connection</c> header names (RFC 9110 §7.6.1), and the one that answers
    /// <c>Expect: 100-continue</c> at the proxy. Each feature's registration calls it.
    /// </summary>
    private static IReverseProxyBuilder AddGinxUpstream(IReverseProxyBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ITransformProvider, ProxyAttemptTransformProvider>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ITransformProvider, ConnectionOptionsTransformProvider>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ITransformProvider, ExpectContinueTransformProvider>());
        return builder;
    }

    /// <summary>
    /// Adds the <c>RequestHeaderClientAddress</c> transform (nginx's <c>$remote_addr</c> in a header) and
    /// the cluster <c>ConnectTimeout</c> metadata (nginx's <c>proxy_connect_timeout</c>). Always on, so
    /// the JSON <c>--print-config</c> prints works without the nginx file.
    /// </summary>
    public static IReverseProxyBuilder AddGinxNginxEquivalents(this IReverseProxyBuilder builder)
    {
        builder.AddTransformFactory<ClientAddressHeaderTransformFactory>();
        // In place of YARP's own factory only: one the application registered itself stays its choice.
        if (builder.Services.Any(registration => registration.ServiceType == typeof(IForwarderHttpClientFactory)
                                                  && registration.ImplementationType == typeof(ForwarderHttpClientFactory)))
        {
            builder.Services.Replace(ServiceDescriptor.Singleton<IForwarderHttpClientFactory, ConnectTimeoutHttpClientFactory>());
        }

        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IClusterValidator, ConnectTimeoutHttpClientFactory.Validator>());
        return builder;
    }
}
