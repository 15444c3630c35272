using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Ginx.Tests.Topology;

/// <summary>
/// Starts the AppHost's whole topology once for every test in <see cref="TopologyCollection"/>: the
/// proxy and its replicas, as <c>dotnet run --project Ginx.AppHost</c> does, plus one cluster whose
/// only destination refuses connections, reachable through the host name <see cref="UnreachableHost"/>.
/// </summary>
public sealed class GinxTopologyFixture : IAsyncLifetime
{
    /// <summary>The host name routed to a cluster nothing answers for.</summary>
    public const string UnreachableHost = "unreachable.test";

    /// <summary>The id of that cluster.</summary>
    public const string UnreachableCluster = "unreachable";

    /// <summary>How long the topology may take to start and become healthy.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The topology has not started.");

    /// <summary>The replica resource names, <c>backend-1</c> … <c>backend-N</c>.</summary>
    public IReadOnlyList<string> Replicas { get; private set; } = [];

    /// <summary>The proxy's public address, as a client sees it.</summary>
    public Uri ProxyAddress { get; private set; } = null!;

    /// <summary>The proxy's admin listener, where <c>/ginx/status</c> is served.</summary>
    public Uri AdminAddress { get; private set; } = null!;

    /// <summary>A plain client to the proxy: no retries or resilience that would hide the proxy's behaviour.</summary>
    public HttpClient Proxy { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Ginx_AppHost>(
            // Ports of the orchestrator's choosing; no generated traffic, so counts in tests stay exact.
            ["--Topology:ProxyPort=", "--Topology:AdminPort=", "--Topology:Traffic:Enabled=false"], timeout.Token);

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

        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);

        await Task.WhenAll(Replicas.Append("proxy")
            .Select(name => _app.ResourceNotifications.WaitForResourceHealthyAsync(name, timeout.Token)));

        ProxyAddress = _app.GetEndpoint("proxy", "http");
        AdminAddress = _app.GetEndpoint("proxy", "admin");
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
