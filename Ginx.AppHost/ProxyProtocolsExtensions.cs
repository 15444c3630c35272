namespace Ginx.AppHost;

/// <summary>
/// gRPC in the test bed: an HTTP/2-cleartext listener on the proxy (its <c>grpc</c> endpoint) and on
/// every replica, and a route that sends gRPC calls to a cluster of the replicas' HTTP/2 listeners.
/// Every listener is a <c>Kestrel:Endpoints</c> entry, so each names its own protocols.
/// </summary>
internal static class ProxyProtocolsExtensions
{
    /// <summary>The name of the HTTP/2 endpoint on the proxy and on each replica.</summary>
    public const string GrpcEndpointName = "grpc";

    /// <summary>The cluster gRPC calls are balanced over.</summary>
    public const string GrpcClusterId = "grpc";

    /// <summary>
    /// Gives the proxy its HTTP/2-only listener. The <c>http</c> and <c>admin</c> listeners stay in
    /// <c>ASPNETCORE_URLS</c>, which Ginx binds beside <c>Kestrel:Endpoints</c>.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithGrpcListener(this IResourceBuilder<ProjectResource> proxy, int? port) =>
        proxy.WithHttpEndpoint(port: port, name: GrpcEndpointName, isProxied: false)
            .WithEndpointsInEnvironment(endpoint => endpoint.Name != GrpcEndpointName)
            .WithHttp2Endpoint(GrpcEndpointName);

    /// <summary>
    /// Gives a replica an HTTP/2-only listener beside its HTTP/1.1 one. Both are Kestrel endpoints:
    /// a plain ASP.NET Core application ignores <c>ASPNETCORE_URLS</c> once it has one.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithGrpcEndpoint(this IResourceBuilder<ProjectResource> backend) =>
        backend.WithHttpEndpoint(name: GrpcEndpointName, isProxied: false)
            .WithEndpointsInEnvironment(_ => false)
            .WithEnvironment("Kestrel__Endpoints__http__Url", backend.GetEndpoint("http"))
            .WithHttp2Endpoint(GrpcEndpointName);

    /// <summary>
    /// Routes gRPC calls (<c>Content-Type: application/grpc…</c>) to <see cref="GrpcClusterId"/>,
    /// which speaks HTTP/2 to the replicas with prior knowledge, as gRPC needs.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithGrpcRoute(this IResourceBuilder<ProjectResource> proxy)
    {
        const string route = $"{ProxyTopologyExtensions.Section}__Routes__{GrpcClusterId}";
        const string cluster = $"{ProxyTopologyExtensions.Section}__Clusters__{GrpcClusterId}";
        return proxy.WithEnvironment($"{route}__ClusterId", GrpcClusterId)
            .WithEnvironment($"{route}__Match__Path", "{**catch-all}")
            .WithEnvironment($"{route}__Match__Headers__0__Name", "Content-Type")
            .WithEnvironment($"{route}__Match__Headers__0__Values__0", "application/grpc")
            .WithEnvironment($"{route}__Match__Headers__0__Mode", "HeaderPrefix")
            .WithEnvironment($"{cluster}__HttpRequest__Version", "2")
            .WithEnvironment($"{cluster}__HttpRequest__VersionPolicy", "RequestVersionExact");
    }

    private static IResourceBuilder<ProjectResource> WithHttp2Endpoint(this IResourceBuilder<ProjectResource> resource, string name) =>
        resource.WithEndpoint(name, endpoint => endpoint.Transport = "http2")
            .WithEnvironment($"Kestrel__Endpoints__{name}__Url", resource.GetEndpoint(name))
            .WithEnvironment($"Kestrel__Endpoints__{name}__Protocols", "Http2");
}
