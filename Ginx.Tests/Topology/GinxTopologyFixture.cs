using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Ginx.Tests.Topology;

/// <summary>
/// Starts the AppHost's whole topology once for every test in <see cref="TopologyCollection"/>: the
/// proxy and its replicas, as <c>dotnet run --project Ginx.AppHost</c> does, plus one cluster whose
/// only destination refuses connections, reachable through the host name <see cref="UnreachableHost"/>,
/// and one cluster per policy in <see cref="PolicyHosts"/> over the same replicas, each reachable
/// through its own host name.
/// </summary>
public sealed class GinxTopologyFixture : IAsyncLifetime
{
    /// <summary>The host name routed to a cluster nothing answers for.</summary>
    public const string UnreachableHost = "unreachable.test";

    /// <summary>The id of that cluster.</summary>
    public const string UnreachableCluster = "unreachable";

    /// <summary>The host name routed to a cluster of every replica balanced by <c>WeightedLeastRequests</c>.</summary>
    public const string LeastRequestsHost = "least-requests.test";

    /// <summary>The host name routed to a cluster of every replica balanced by <c>PeakEwma</c>.</summary>
    public const string PeakEwmaHost = "peak-ewma.test";

    /// <summary>The extra clusters over the replicas: host name, and the policy that balances it.</summary>
    public static readonly IReadOnlyDictionary<string, string> PolicyHosts = new Dictionary<string, string>
    {
        [LeastRequestsHost] = "WeightedLeastRequests",
        [PeakEwmaHost] = "PeakEwma",
    };

    /// <summary>How long the topology may take to start and become healthy.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The topology has not started.");

    /// <summary>The replica resource names, <c>backend-1</c> … <c>backend-N</c>.</summary>
    public IReadOnlyList<string> Replicas { get; private set; } = [];

    /// <summary>The proxy's public address, as a client sees it.</summary>
    public Uri ProxyAddress { get; private set; } = null!;

    /// <summary>A plain client to the proxy: no retries or resilience that would hide the proxy's behaviour.</summary>
    public HttpClient Proxy { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Ginx_AppHost>(
            ["--Topology:ProxyPort="], timeout.Token);

        var proxy = builder.CreateResourceBuilder<ProjectResource>("proxy");
        const string route = "AppHost__ReverseProxy__Routes__unreachable";
        const string cluster = $"AppHost__ReverseProxy__Clusters__{UnreachableCluster}";
        proxy.WithEnvironment($"{route}__ClusterId", UnreachableCluster)
            .WithEnvironment($"{route}__Match__Hosts__0", UnreachableHost)
            .WithEnvironment($"{route}__Match__Path", "{**catch-all}")
            // Port 1 on loopback: nothing listens there, so every connection is refused at once.
            .WithEnvironment($"{cluster}__Destinations__nowhere__Address", "http://127.0.0.1:1");

        Replicas = builder.Resources.OfType<ProjectResource>()
            .Select(resource => resource.Name)
            .Where(name => name.StartsWith("backend-", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToArray();

        foreach (var (host, policy) in PolicyHosts)
        {
            var id = host.Split('.')[0];
            proxy.WithEnvironment($"AppHost__ReverseProxy__Routes__{id}__ClusterId", id)
                .WithEnvironment($"AppHost__ReverseProxy__Routes__{id}__Match__Hosts__0", host)
                .WithEnvironment($"AppHost__ReverseProxy__Routes__{id}__Match__Path", "{**catch-all}")
                .WithEnvironment($"AppHost__ReverseProxy__Clusters__{id}__LoadBalancingPolicy", policy);
            foreach (var replica in Replicas)
            {
                proxy.WithEnvironment($"AppHost__ReverseProxy__Clusters__{id}__Destinations__{replica}__Address", $"http://{replica}");
            }
        }

        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);

        await Task.WhenAll(Replicas.Append("proxy")
            .Select(name => _app.ResourceNotifications.WaitForResourceHealthyAsync(name, timeout.Token)));

        ProxyAddress = _app.GetEndpoint("proxy", "http");
        Proxy = new HttpClient { BaseAddress = ProxyAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>A plain client straight to one replica, bypassing the proxy.</summary>
    public HttpClient Replica(string name) =>
        new() { BaseAddress = App.GetEndpoint(name, "http"), Timeout = TimeSpan.FromSeconds(30) };

    public async ValueTask DisposeAsync()
    {
        Proxy?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
