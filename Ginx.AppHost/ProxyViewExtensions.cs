using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Ginx.AppHost;

/// <summary>Puts the proxy's view of each replica on the replica's resource (see <see cref="ProxyViewPublisher"/>).</summary>
internal static class ProxyViewExtensions
{
    public static IResourceBuilder<ProjectResource> WithProxyViewOn(
        this IResourceBuilder<ProjectResource> proxy, IReadOnlyList<IResourceBuilder<ProjectResource>> replicas)
    {
        var resources = replicas.Select(replica => replica.Resource).ToArray();
        proxy.ApplicationBuilder.Services.TryAddSingleton(TimeProvider.System);
        proxy.ApplicationBuilder.Services.AddHostedService(services => new ProxyViewPublisher(
            proxy.Resource, resources, services.GetRequiredService<ResourceNotificationService>(), services.GetRequiredService<TimeProvider>()));
        return proxy;
    }
}
