namespace Ginx.AppHost;

/// <summary>
/// Gives the proxy its admin listener as a second endpoint, <c>admin</c>, so the dashboard lists the
/// live balancer page first on the proxy's row, and the status API's URL next to it.
/// </summary>
internal static class ProxyAdminExtensions
{
    public const string EndpointName = "admin";

    // The dashboard lists a resource's URLs by descending order.
    private const int FirstUrl = 100;

    public static IResourceBuilder<ProjectResource> WithAdminEndpoint(this IResourceBuilder<ProjectResource> proxy, int? port)
    {
        // Proxy-less, like the public endpoint: the proxy tells admin connections apart by the
        // port they arrive on, so that port must be its own.
        proxy.WithHttpEndpoint(port: port, name: EndpointName, isProxied: false)
            .WithUrlForEndpoint(EndpointName, url =>
            {
                url.Url += "/ginx/";
                url.DisplayText = "Balancer, live";
#pragma warning disable CS0618 // Obsolete only in shape (a field, to become a property); it is what orders the URLs today.
                url.DisplayOrder = FirstUrl;
#pragma warning restore CS0618
            })
            .WithUrlForEndpoint(EndpointName, endpoint => new ResourceUrlAnnotation
            {
                Url = endpoint.Url + "/ginx/status",
                DisplayText = "Status API (/ginx/status)",
            });
        return proxy.WithEnvironment("Ginx__Admin__Urls", proxy.GetEndpoint(EndpointName));
    }
}
