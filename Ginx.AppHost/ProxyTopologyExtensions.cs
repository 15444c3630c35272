namespace Ginx.AppHost;

/// <summary>
/// Hands the proxy its routes and cluster through environment variables, in YARP's own configuration
/// shape. They go in a section of their own (<c>AppHost:ReverseProxy</c>) so the standalone example
/// in the proxy's appsettings.json does not merge into them.
/// </summary>
internal static class ProxyTopologyExtensions
{
    public const string ClusterId = "backend";

    /// <summary>The environment-variable prefix of that section.</summary>
    public const string Section = "AppHost__ReverseProxy";

    /// <summary>The balanced clusters, each over one endpoint of every replica: HTTP, and gRPC over HTTP/2.</summary>
    private static readonly (string ClusterId, string EndpointName)[] Clusters =
        [(ClusterId, "http"), (ProxyProtocolsExtensions.GrpcClusterId, ProxyProtocolsExtensions.GrpcEndpointName)];

    public static IResourceBuilder<ProjectResource> WithProxyTopology(
        this IResourceBuilder<ProjectResource> proxy, TopologyOptions topology)
    {
        proxy.WithEnvironment("Ginx__ReverseProxySection", "AppHost:ReverseProxy")
            .WithEnvironment($"{Section}__Routes__all__ClusterId", ClusterId)
            .WithEnvironment($"{Section}__Routes__all__Match__Path", "{**catch-all}")
            .WithGrpcRoute();
        foreach (var (clusterId, _) in Clusters)
        {
            proxy.WithEnvironment($"{Section}__Clusters__{clusterId}__LoadBalancingPolicy", topology.LoadBalancingPolicy)
                // Active checks find a dead replica with no traffic at all and bring a revived one back;
                // passive health (on by default in the proxy) reacts faster while traffic flows.
                .WithEnvironment($"{Section}__Clusters__{clusterId}__HealthCheck__Active__Enabled", "true")
                .WithEnvironment($"{Section}__Clusters__{clusterId}__HealthCheck__Active__Interval", "00:00:02")
                .WithEnvironment($"{Section}__Clusters__{clusterId}__HealthCheck__Active__Timeout", "00:00:01")
                .WithEnvironment($"{Section}__Clusters__{clusterId}__HealthCheck__Active__Path", "/health");
            foreach (var (key, value) in topology.ClusterMetadata)
            {
                proxy.WithEnvironment($"{Section}__Clusters__{clusterId}__Metadata__{key}", value);
            }
        }

        return proxy;
    }

    /// <summary>
    /// Adds <paramref name="backend"/> as a destination of each cluster, with the metadata
    /// <see cref="TopologyOptions.Destinations"/> gives it. Its address is the resource name, which the
    /// proxy resolves through service discovery from the reference.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithBalancedDestination(
        this IResourceBuilder<ProjectResource> proxy, IResourceBuilder<ProjectResource> backend, TopologyOptions topology)
    {
        proxy.WithReference(backend);
        foreach (var (clusterId, endpointName) in Clusters)
        {
            // Service discovery's name for an endpoint other than the default http one: _name.service.
            var address = endpointName == "http" ? $"http://{backend.Resource.Name}" : $"http://_{endpointName}.{backend.Resource.Name}";
            var destination = $"{Section}__Clusters__{clusterId}__Destinations__{backend.Resource.Name}";
            proxy.WithEnvironment($"{destination}__Address", address);
            foreach (var (key, value) in topology.Destinations.GetValueOrDefault(backend.Resource.Name) ?? [])
            {
                proxy.WithEnvironment($"{destination}__Metadata__{key}", value);
            }
        }

        return proxy;
    }
}
