using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using System.Net.Http.Json;
using System.Text.Json;
using Ginx.AppHost;
using Ginx.Proxy.Health;
using Ginx.SampleBackend;
using Ginx.Tests.Support;

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

    /// <summary>
    /// The host name routed to a cluster over the same replicas with passive health off, so a test
    /// can count every attempt retries make without ejections changing the picture.
    /// </summary>
    public const string NoEjectionHost = "no-ejection.test";

    /// <summary>
    /// Like <see cref="NoEjectionHost"/>, for the test that drains its cluster's retry budget: a
    /// cluster of its own, so no other test finds the budget spent.
    /// </summary>
    public const string BudgetHost = "budget.test";

    /// <summary>How long the topology may take to start and become healthy.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    /// <summary>How long one resource command (stop, start, chaos) may take: a stop under load waits for requests in flight.</summary>
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(1);

    private volatile bool _orchestratorLost;

    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The topology has not started.");

    /// <summary>The replica resource names, <c>backend-1</c> … <c>backend-N</c>.</summary>
    public IReadOnlyList<string> Replicas { get; private set; } = [];

    /// <summary>The proxy's public address, as a client sees it.</summary>
    public Uri ProxyAddress { get; private set; } = null!;

    /// <summary>The proxy's HTTP/2-only listener, for gRPC (prior knowledge, no TLS).</summary>
    public Uri GrpcAddress { get; private set; } = null!;

    /// <summary>The proxy's admin listener, where <c>/ginx/status</c> is served.</summary>
    public Uri AdminAddress { get; private set; } = null!;

    /// <summary>A plain client to the proxy: no retries or resilience that would hide the proxy's behaviour.</summary>
    public HttpClient Proxy { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Ginx_AppHost>(
            // Ports of the orchestrator's choosing; no generated traffic, so counts in tests stay exact.
            ["--Topology:ProxyPort=", "--Topology:AdminPort=", "--Topology:GrpcPort=", "--Topology:Traffic:Enabled=false"], timeout.Token);

        var proxy = builder.CreateResourceBuilder<ProjectResource>("proxy");
        // Port 1 on loopback: nothing listens there, so every connection is refused at once.
        proxy.WithEnvironment($"{AddHostRoute(proxy, UnreachableHost, UnreachableCluster)}__Destinations__nowhere__Address", "http://127.0.0.1:1");

        Replicas = builder.Resources.OfType<ProjectResource>()
            .Select(resource => resource.Name)
            .Where(name => name.StartsWith("backend-", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToArray();

        Dictionary<string, string> noEjection = new() { ["MaxFails"] = "0", ["Consecutive5xx"] = "0", ["SuccessRateStdevFactor"] = "0" };
        AddClusterOverReplicas(proxy, NoEjectionHost, "no-ejection", "RoundRobin", noEjection);
        AddClusterOverReplicas(proxy, BudgetHost, "budget", "RoundRobin", noEjection);
        foreach (var (host, policy) in PolicyHosts)
        {
            AddClusterOverReplicas(proxy, host, host.Split('.')[0], policy, []);
        }

        // The testing builder runs no dashboard, yet points OTLP at where it would be; a process
        // then spends its shutdown waiting (10 s by default) on an export nobody receives, and a
        // Stop under load times out. Telemetry stays on, as under the AppHost; the wait goes.
        foreach (var resource in builder.Resources.OfType<ProjectResource>())
        {
            builder.CreateResourceBuilder(resource).WithEnvironment("OTEL_EXPORTER_OTLP_TIMEOUT", "200");
        }

        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);

        await Task.WhenAll(Replicas.Append("proxy")
            .Select(name => _app.ResourceNotifications.WaitForResourceHealthyAsync(name, timeout.Token)));

        ProxyAddress = _app.GetEndpoint("proxy", "http");
        GrpcAddress = _app.GetEndpoint("proxy", ProxyProtocolsExtensions.GrpcEndpointName);
        AdminAddress = _app.GetEndpoint("proxy", "admin");
        Proxy = new HttpClient { BaseAddress = ProxyAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>Routes requests for <paramref name="host"/> to a cluster of its own over every replica.</summary>
    private void AddClusterOverReplicas(
        IResourceBuilder<ProjectResource> proxy, string host, string clusterId, string policy, Dictionary<string, string> metadata)
    {
        var cluster = AddHostRoute(proxy, host, clusterId);
        proxy.WithEnvironment($"{cluster}__LoadBalancingPolicy", policy);
        foreach (var (key, value) in metadata)
        {
            proxy.WithEnvironment($"{cluster}__Metadata__{key}", value);
        }

        foreach (var replica in Replicas)
        {
            proxy.WithEnvironment($"{cluster}__Destinations__{replica}__Address", $"http://{replica}");
        }
    }

    /// <summary>
    /// Adds a route for <paramref name="host"/> to <paramref name="clusterId"/> in the section the
    /// AppHost hands the proxy, and returns the environment prefix of that cluster's settings.
    /// </summary>
    private static string AddHostRoute(IResourceBuilder<ProjectResource> proxy, string host, string clusterId)
    {
        var route = $"{ProxyTopologyExtensions.Section}__Routes__{clusterId}";
        proxy.WithEnvironment($"{route}__ClusterId", clusterId)
            .WithEnvironment($"{route}__Match__Hosts__0", host)
            .WithEnvironment($"{route}__Match__Path", "{**catch-all}");
        return $"{ProxyTopologyExtensions.Section}__Clusters__{clusterId}";
    }

    /// <summary>Stops a replica through Aspire, as the dashboard's Stop does: its port then refuses connections.</summary>
    public async Task StopReplicaAsync(string name, CancellationToken cancellationToken)
    {
        var result = await CommandAsync(name, KnownResourceCommands.StopCommand, cancellationToken);
        Assert.True(result.Success, result.Message);
    }

    /// <summary>
    /// Kills a replica's process outright, as a crash would: unlike Stop, which lets requests in
    /// flight finish, this cuts them off mid-transfer.
    /// </summary>
    public async Task KillReplicaAsync(string name, CancellationToken cancellationToken)
    {
        using var client = Replica(name);
        var reply = await client.GetFromJsonAsync<ReplicaReply>("/", JsonSerializerOptions.Web, cancellationToken);
        using (var process = System.Diagnostics.Process.GetProcessById(reply!.Pid))
        {
            process.Kill();
        }

        await App.ResourceNotifications.WaitForResourceAsync(name, [KnownResourceStates.Exited, KnownResourceStates.Finished], cancellationToken)
            .WaitAsync(StartTimeout, cancellationToken);
    }

    /// <summary>Starts a stopped replica and waits until it is healthy again.</summary>
    public async Task StartReplicaAsync(string name, CancellationToken cancellationToken)
    {
        var result = await CommandAsync(name, KnownResourceCommands.StartCommand, cancellationToken);
        Assert.True(result.Success, result.Message);
        // The snapshot can still say Exited for a moment after the command returns; the default
        // behaviour would take that for a failed start and give up at once.
        await App.ResourceNotifications.WaitForResourceHealthyAsync(name, WaitBehavior.WaitOnResourceUnavailable, cancellationToken)
            .WaitAsync(StartTimeout, cancellationToken);
        // Healthy can still be the last life's verdict for a moment (a test once found a replica
        // killed and started again refusing connections 1 s later): its own answer is the proof.
        using var client = Replica(name);
        await Eventually.HoldsAsync(() => AnswersAsync(client, cancellationToken), StartTimeout, $"{name} answers again after its start");
    }

    private static async Task<bool> AnswersAsync(HttpClient client, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await client.GetAsync("/health", cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>Runs one of the AppHost's dashboard commands on a resource.</summary>
    public async Task ExecuteCommandAsync(string name, string command, CancellationToken cancellationToken)
    {
        var result = await CommandAsync(name, command, cancellationToken);
        Assert.True(result.Success, result.Message);
    }

    /// <summary>
    /// A resource command, bounded: Aspire retries a call to its orchestrator for as long as the
    /// token allows, so if the orchestrator is gone a test would otherwise hang instead of failing.
    /// Once one command has run out of time, the others fail at once: the topology is lost.
    /// </summary>
    private async Task<ExecuteCommandResult> CommandAsync(string name, string command, CancellationToken cancellationToken)
    {
        Assert.False(_orchestratorLost, $"An earlier resource command timed out: the orchestrator is gone, so '{command}' on {name} cannot run.");
        try
        {
            return await App.ResourceCommands.ExecuteCommandAsync(name, command, cancellationToken).WaitAsync(CommandTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            _orchestratorLost = true;
            throw;
        }
    }

    /// <summary>What one replica reports it has served.</summary>
    public async Task<RequestStatsSnapshot> StatsAsync(string name, CancellationToken cancellationToken)
    {
        using var client = Replica(name);
        return (await client.GetFromJsonAsync<RequestStatsSnapshot>("/stats", JsonSerializerOptions.Web, cancellationToken))!;
    }

    /// <summary>Starts every replica's counts afresh.</summary>
    public async Task ResetStatsAsync(CancellationToken cancellationToken)
    {
        foreach (var name in Replicas)
        {
            using var client = Replica(name);
            (await client.DeleteAsync("/stats", cancellationToken)).EnsureSuccessStatusCode();
        }
    }

    /// <summary>What the proxy's status API says of each destination of <paramref name="clusterId"/>, by configured name.</summary>
    public async Task<Dictionary<string, JsonElement>> DestinationStatusAsync(string clusterId, CancellationToken cancellationToken)
    {
        using var status = await StatusAsync(cancellationToken);
        var cluster = status.RootElement.GetProperty("clusters").EnumerateArray()
            .Single(cluster => cluster.GetProperty("id").GetString() == clusterId);
        return cluster.GetProperty("destinations").EnumerateArray()
            .ToDictionary(destination => destination.GetProperty("name").GetString()!, destination => destination.Clone());
    }

    /// <summary>The destinations over the replicas that the proxy's status reports unhealthy, as <c>cluster/name</c>.</summary>
    public async Task<List<string>> UnhealthyDestinationsAsync(CancellationToken cancellationToken)
    {
        using var status = await StatusAsync(cancellationToken);
        return status.RootElement.GetProperty("clusters").EnumerateArray()
            .Where(cluster => cluster.GetProperty("id").GetString() != UnreachableCluster)
            .SelectMany(cluster => cluster.GetProperty("destinations").EnumerateArray()
                .Where(destination => destination.GetProperty("health").GetString() == "unhealthy")
                .Select(destination => $"{cluster.GetProperty("id").GetString()}/{destination.GetProperty("name").GetString()}"))
            .ToList();
    }

    private async Task<JsonDocument> StatusAsync(CancellationToken cancellationToken)
    {
        using var admin = new HttpClient { BaseAddress = AdminAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var response = await admin.GetAsync("/ginx/status", cancellationToken);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
    }

    /// <summary>What every replica has served since its stats were last reset, added up.</summary>
    public async Task<long> TotalServedAsync(CancellationToken cancellationToken)
    {
        long served = 0;
        foreach (var name in Replicas)
        {
            served += (await StatsAsync(name, cancellationToken)).Served;
        }

        return served;
    }

    /// <summary>Sets the same chaos on every replica; <see cref="ChaosSettings.None"/> heals them.</summary>
    public async Task SetChaosOnAllAsync(ChaosSettings chaos, CancellationToken cancellationToken)
    {
        foreach (var name in Replicas)
        {
            using var client = Replica(name);
            (await client.PostAsJsonAsync("/chaos", chaos, JsonSerializerOptions.Web, cancellationToken)).EnsureSuccessStatusCode();
        }
    }

    /// <summary>
    /// Puts the topology back as tests expect to find it: every replica running, healthy, healed,
    /// taken out by no cluster of the proxy (a replica ejected by passive health comes back only when
    /// its ejection runs out), and served to by the main cluster again.
    /// </summary>
    public async Task EnsureAllReplicasServeAsync(CancellationToken cancellationToken)
    {
        foreach (var name in Replicas)
        {
            if (App.ResourceNotifications.TryGetCurrentState(name, out var resource)
                && resource.Snapshot.State?.Text != KnownResourceStates.Running)
            {
                await StartReplicaAsync(name, cancellationToken);
            }
        }

        await SetChaosOnAllAsync(ChaosSettings.None, cancellationToken);

        // An ejection runs out by itself, after at most MaxEjectionTime; name whatever outlasts that.
        var patience = new PassiveHealthOptions().MaxEjectionTime + TimeSpan.FromSeconds(10);
        var waiting = System.Diagnostics.Stopwatch.StartNew();
        for (var unhealthy = await UnhealthyDestinationsAsync(cancellationToken);
             unhealthy.Count > 0;
             unhealthy = await UnhealthyDestinationsAsync(cancellationToken))
        {
            Assert.True(waiting.Elapsed < patience, $"Still unhealthy after {patience}: {string.Join(", ", unhealthy)}");
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(StartTimeout);
        var seen = new HashSet<string>();
        while (seen.Count < Replicas.Count)
        {
            using var response = await Proxy.GetAsync("/", deadline.Token);
            if (response.IsSuccessStatusCode && response.Headers.TryGetValues(ReplicaIdentity.HeaderName, out var names))
            {
                seen.Add(names.Single());
            }
        }
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
