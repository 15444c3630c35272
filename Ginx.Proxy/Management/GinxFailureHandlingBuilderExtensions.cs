using System.Diagnostics.CodeAnalysis;
using Ginx.Proxy.Configuration;
using Ginx.Proxy.Health;
using Ginx.Proxy.Retries;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Configuration.ClusterValidators;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Ginx's failure handling: retries with a budget, and passive health.</summary>
public static class GinxFailureHandlingBuilderExtensions
{
    /// <summary>
    /// Adds retries (<c>Ginx:Retries</c>) and passive health (<c>Ginx:PassiveHealth</c>), both
    /// overridable per cluster through metadata. Retrying also needs the retry middleware in the
    /// proxy pipeline, which <c>MapGinxProxy</c> adds.
    /// </summary>
    public static IReverseProxyBuilder AddGinxFailureHandling(this IReverseProxyBuilder builder)
    {
        var services = builder.Services;
        // Bound here, on each concrete type, so the binding source generator can write the code.
        AddClusterSettings(services.AddOptions<RetryOptions>().BindConfiguration(RetryOptions.SectionName), RetryOptions.SectionName);
        AddClusterSettings(services.AddOptions<PassiveHealthOptions>().BindConfiguration(PassiveHealthOptions.SectionName), PassiveHealthOptions.SectionName);

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPassiveHealthCheckPolicy, MaxFailsAndOutliersHealthPolicy>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITransformProvider, RetryResponseTransformProvider>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProxyConfigFilter, FailureHandlingDefaultsFilter>());
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
}
