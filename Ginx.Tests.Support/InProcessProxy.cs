using System.Text.Json;
using System.Text.Json.Nodes;
using Ginx.Proxy;
using Ginx.Proxy.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace Ginx.Tests.Support;

/// <summary>
/// The real Ginx proxy application (<see cref="GinxProxyApplication"/>) hosted in the test process
/// with a configuration the test writes, and can rewrite to exercise live reloads.
/// </summary>
internal sealed class InProcessProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _configurationFile;
    private readonly ConfigurationAppliedSignal _signal;

    private InProcessProxy(WebApplication app, string configurationFile, ConfigurationAppliedSignal signal)
    {
        _app = app;
        _configurationFile = configurationFile;
        _signal = signal;
        AdminAddress = app.Services.GetRequiredService<AdminListener>().BoundAddresses.Single();
        Address = app.Urls.Select(url => new Uri(url)).Single(url => url != AdminAddress);
        Client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>The public listener's address.</summary>
    public Uri Address { get; }

    /// <summary>The admin listener's address, where <c>/ginx/status</c> is served.</summary>
    public Uri AdminAddress { get; }

    /// <summary>A plain client to the proxy, without retries.</summary>
    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>The JSON file the proxy reads and watches, which a test may rewrite, truncate or delete.</summary>
    public string ConfigurationFile => _configurationFile;

    /// <summary>What the admin listener's <c>GET /ginx/status</c> answers now.</summary>
    public async Task<JsonElement> StatusAsync(CancellationToken cancellationToken)
    {
        using var admin = new HttpClient { BaseAddress = AdminAddress };
        using var document = JsonDocument.Parse(await admin.GetStringAsync("/ginx/status", cancellationToken));
        return document.RootElement.Clone();
    }

    /// <summary>Cluster <paramref name="clusterId"/> in a status report.</summary>
    public static JsonElement ClusterStatus(JsonElement status, string clusterId) =>
        Assert.Single(status.GetProperty("clusters").EnumerateArray(), cluster => cluster.GetProperty("id").GetString() == clusterId);

    /// <summary>YARP's live state of cluster <paramref name="clusterId"/>: its destinations, their health, which are available.</summary>
    public ClusterState Cluster(string clusterId)
    {
        Assert.True(Services.GetRequiredService<IProxyStateLookup>().TryGetCluster(clusterId, out var cluster), $"No cluster '{clusterId}'.");
        return cluster;
    }

    /// <summary>
    /// Starts the proxy with <paramref name="configuration"/> as its whole configuration, plus an
    /// admin listener on a free loopback port unless the configuration names one.
    /// <paramref name="configureServices"/> runs before the proxy's own registrations, so a service
    /// it adds (a fake <see cref="TimeProvider"/>) wins over the proxy's default. <paramref name="pipeline"/>,
    /// if given, replaces <c>MapGinxProxy</c>'s proxy pipeline (such as <see cref="BalancingAlone"/>).
    /// </summary>
    /// <exception cref="Proxy.Configuration.ProxyConfigurationException">The configuration is invalid.</exception>
    public static async Task<InProcessProxy> StartAsync(
        JsonObject configuration,
        CancellationToken cancellationToken,
        Action<IServiceCollection>? configureServices = null,
        Action<IReverseProxyApplicationBuilder>? pipeline = null)
    {
        var withAdmin = configuration.DeepClone().AsObject();
        var ginx = (withAdmin["Ginx"] ??= new JsonObject()).AsObject();
        ginx["Admin"] ??= new JsonObject { ["Urls"] = "http://127.0.0.1:0" };

        var builder = TestApplication.CreateBuilder(withAdmin, out var configurationFile);
        var signal = new ConfigurationAppliedSignal();
        builder.Services.AddSingleton<IConfigChangeListener>(signal);
        configureServices?.Invoke(builder.Services);

        var app = pipeline is null ? GinxProxyApplication.Build(builder) : BuildWithPipeline(builder, pipeline);
        await app.StartAsync(cancellationToken);
        return new InProcessProxy(app, configurationFile, signal);
    }

    /// <summary>
    /// A proxy pipeline of Ginx's balancing step alone, as a pipeline of one's own may have it: without
    /// Ginx's request step (retries, error answers, the request's record), the balancer completes each
    /// attempt itself, and what it relies on must not come from the request step.
    /// </summary>
    public static void BalancingAlone(IReverseProxyApplicationBuilder proxy) => proxy.UseGinxLoadBalancing();

    private static WebApplication BuildWithPipeline(WebApplicationBuilder builder, Action<IReverseProxyApplicationBuilder> pipeline)
    {
        builder.AddServiceDefaults();
        builder.AddGinxProxy();
        var app = builder.Build();
        app.MapReverseProxy(pipeline);
        return app;
    }

    /// <summary>
    /// Rewrites the configuration file and waits until the proxy has applied it (true) or rejected
    /// it (false), as a file edit by an operator would be.
    /// </summary>
    public async Task<bool> ReconfigureAsync(JsonObject configuration, CancellationToken cancellationToken)
    {
        // Service discovery re-applies the current configuration now and then; a revision stamped
        // on every route tells the applying of this one apart.
        var revision = Guid.NewGuid().ToString("N");
        var stamped = configuration.DeepClone().AsObject();
        foreach (var (_, route) in stamped["ReverseProxy"]?["Routes"]?.AsObject() ?? [])
        {
            route!["Metadata"] ??= new JsonObject();
            route["Metadata"]![RevisionKey] = revision;
        }

        var outcome = _signal.Expect(revision);

        // Replaced in one rename, as careful operators do: a file rewritten in place is seen empty
        // for a moment, which the proxy refuses and logs as an error before the whole file arrives.
        var staged = _configurationFile + ".new";
        await File.WriteAllTextAsync(staged, stamped.ToJsonString(), cancellationToken);
        File.Move(staged, _configurationFile, overwrite: true);
        return await outcome.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
    }

    /// <summary>Stops the proxy as a SIGTERM would: it stops accepting and lets requests in flight finish.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => _app.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.DisposeAsync();
        TestApplication.DeleteContentRoot(_configurationFile);
    }

    private const string RevisionKey = "GinxTestRevision";

    /// <summary>Completes when the expected revision is applied (true) or a reload is rejected (false).</summary>
    private sealed class ConfigurationAppliedSignal : IConfigChangeListener
    {
        private volatile string? _revision;
        private TaskCompletionSource<bool> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<bool> Expect(string revision)
        {
            _outcome = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            _revision = revision;
            return _outcome.Task;
        }

        public void ConfigurationApplied(IReadOnlyList<IProxyConfig> proxyConfigs)
        {
            var revision = _revision;
            if (revision is not null && proxyConfigs.Any(config => config.Routes.Any(route =>
                    route.Metadata?.GetValueOrDefault(RevisionKey) == revision)))
            {
                _outcome.TrySetResult(true);
            }
        }

        public void ConfigurationApplyingFailed(IReadOnlyList<IProxyConfig> proxyConfigs, Exception exception) => _outcome.TrySetResult(false);

        public void ConfigurationLoadingFailed(IProxyConfigProvider configProvider, Exception exception) => _outcome.TrySetResult(false);

        public void ConfigurationLoaded(IReadOnlyList<IProxyConfig> proxyConfigs)
        {
        }
    }
}
