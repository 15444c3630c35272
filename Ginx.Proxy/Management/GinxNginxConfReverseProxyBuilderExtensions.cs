using Ginx.Proxy.NginxConf;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Yarp.ReverseProxy.Configuration.ClusterValidators;
using Yarp.ReverseProxy.Forwarder;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers what nginx configurations need beyond YARP's own configuration model.</summary>
public static class GinxNginxConfReverseProxyBuilderExtensions
{
    /// <summary>
    /// Adds the <c>RequestHeaderClientAddress</c> transform (nginx's <c>$remote_addr</c> in a header) and
    /// the cluster <c>ConnectTimeout</c> metadata (nginx's <c>proxy_connect_timeout</c>). Always on, so
    /// the JSON <c>--print-config</c> prints works without the nginx file.
    /// </summary>
    public static IReverseProxyBuilder AddGinxNginxEquivalents(this IReverseProxyBuilder builder)
    {
        builder.AddTransformFactory<ClientAddressHeaderTransformFactory>();
        builder.Services.Replace(ServiceDescriptor.Singleton<IForwarderHttpClientFactory, ConnectTimeoutHttpClientFactory>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IClusterValidator, ConnectTimeoutHttpClientFactory.Validator>());
        return builder;
    }
}
