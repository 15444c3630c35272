using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.Upstream;

/// <summary>
/// Tells the endpoints of the proxy's routes from the application's own (admin, health): YARP
/// builds each route's endpoint with the route's <see cref="RouteModel"/> among its metadata.
/// </summary>
internal static class ProxyRouteEndpoint
{
    /// <summary>Whether <paramref name="endpoint"/> forwards to one of the proxy's clusters.</summary>
    public static bool Is(Endpoint? endpoint) => endpoint?.Metadata.GetMetadata<RouteModel>() is not null;
}
