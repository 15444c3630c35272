namespace Ginx.AppHost;

/// <summary>
/// Gives the proxy its admin listener as a second endpoint, <c>admin</c>, so the dashboard lists the
/// status API's URL next to the proxy's.
/// </summary>
internal static class ProxyAdminExtensions
{
    public const string EndpointName = "admin";

    public static IResourceBuilder<ProjectResource> WithAdminEndpoint(this IResourceBuilder<ProjectResource> proxy, int? port)
    {
        // Proxy-less, like the public endpoint: the proxy tells admin connections apart by the
        // port they arrive on, so that port must be its own.
        proxy.WithHttpEndpoint(port: port, name: EndpointName, isProxied: false)
            .WithUrlForEndpoint(EndpointName, url =>
            {
                url.Url += "/ginx/status";
                url.DisplayText = "Status API (/ginx/status)";
            });
        return proxy.WithEnvironment("Ginx__Admin__Urls", proxy.GetEndpoint(EndpointName));
    }
}
