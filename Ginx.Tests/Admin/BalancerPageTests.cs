using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ginx.Proxy.Telemetry;
using Ginx.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Ginx.Tests.Admin;

/// <summary>The live page and the windowed figures of the status API that it draws.</summary>
public sealed class BalancerPageTests
{
    private const string Cluster = "live";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static async Task<JsonElement> ClusterStatusAsync(InProcessProxy proxy) =>
        InProcessProxy.ClusterStatus(await proxy.StatusAsync(Cancellation), Cluster);

    private static JsonElement Destination(JsonElement cluster, string name) =>
        Assert.Single(cluster.GetProperty("destinations").EnumerateArray(), destination => destination.GetProperty("name").GetString() == name);

    [Fact]
    public async Task Page_OnTheAdminListener_IsOneSelfContainedDocument()
    {
        await using var proxy = await InProcessProxy.StartAsync(
            ClusterConfiguration.RoundRobin(Cluster, ("one", new Uri("http://127.0.0.1:1"))), Cancellation);
        using var admin = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = proxy.AdminAddress };

        using var page = await admin.GetAsync("/ginx/", Cancellation);
        using var withoutSlash = await admin.GetAsync("/ginx", Cancellation);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync(Cancellation);
        Assert.Contains("fetch(\"status\"", html, StringComparison.Ordinal);
        // Nothing loaded from elsewhere, and the browser is told to refuse it if something were.
        Assert.DoesNotContain("src=\"http", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"http", html, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("default-src 'none';", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Redirect, withoutSlash.StatusCode);
        Assert.Equal("/ginx/", withoutSlash.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Status_AfterASecondOfRequests_RatesSharesAndPercentilesPerDestination()
    {
        var time = new FakeTimeProvider();
        var backends = await InProcessBackend.StartManyAsync(2, Cancellation);
        await using var proxy = await InProcessProxy.StartAsync(
            ClusterConfiguration.RoundRobin(Cluster, backends.Select(backend => (backend.Name, backend.Address))), Cancellation,
            services => services.AddSingleton<TimeProvider>(time));

        for (var i = 0; i < 20; i++)
        {
            (await proxy.Client.GetAsync("/", Cancellation)).EnsureSuccessStatusCode();
        }

        // Recorded once each answer is on its way, so the last may be a moment behind the client.
        await Eventually.HoldsAsync(async () =>
            (await ClusterStatusAsync(proxy)).GetProperty("destinations").EnumerateArray().Sum(destination => destination.GetProperty("requests").GetInt64()) == 20,
            Timeout, "the status API counts 20 requests");

        // The second the requests ended in is counted once it is over.
        Assert.Equal(0, (await ClusterStatusAsync(proxy)).GetProperty("requestsPerSecond").GetDouble());
        time.Advance(TimeSpan.FromSeconds(1));
        var cluster = await ClusterStatusAsync(proxy);

        Assert.Equal(2.0, cluster.GetProperty("requestsPerSecond").GetDouble());
        Assert.False(cluster.GetProperty("panic").GetBoolean());
        foreach (var backend in backends)
        {
            var destination = Destination(cluster, backend.Name);
            Assert.Equal(1.0, destination.GetProperty("requestsPerSecond").GetDouble());
            Assert.Equal(50.0, destination.GetProperty("sharePercent").GetDouble());
            Assert.True(destination.GetProperty("p99Ms").GetDouble() >= destination.GetProperty("p50Ms").GetDouble());
            Assert.Equal(60, destination.GetProperty("history").GetProperty("requestsPerSecond").GetArrayLength());
        }

        // Ten seconds on, they have left the window but stay in the five minutes of history.
        time.Advance(TimeSpan.FromSeconds(10));
        cluster = await ClusterStatusAsync(proxy);
        var later = Destination(cluster, backends[0].Name);
        Assert.Equal(0, later.GetProperty("sharePercent").GetDouble());
        Assert.Equal(JsonValueKind.Null, later.GetProperty("p99Ms").ValueKind);
        Assert.Equal(10.0, later.GetProperty("history").GetProperty("requestsPerSecond").EnumerateArray().Sum(point => point.GetDouble())
            * DestinationWindow.HistoryIntervalSeconds);

        await Task.WhenAll(backends.Select(backend => backend.DisposeAsync().AsTask()));
    }

    [Fact]
    public async Task Status_DestinationRefusingConnections_ShowsItsRetriesEjectionAndLastError()
    {
        await using var backend = await InProcessBackend.StartAsync("good", Cancellation);
        // Ginx's own failure handling: retries, and passive health that ejects after one failure.
        var cluster = new JsonObject
        {
            ["LoadBalancingPolicy"] = "RoundRobin",
            ["Destinations"] = ProxyConfigurations.Destinations([(backend.Name, backend.Address), ("refusing", new Uri("http://127.0.0.1:1"))]),
        };
        await using var proxy = await InProcessProxy.StartAsync(ProxyConfigurations.CatchAll(Cluster, cluster), Cancellation);

        // Round robin tries the refusing destination within two requests; the retry answers from the good one.
        for (var i = 0; i < 2; i++)
        {
            (await proxy.Client.GetAsync("/", Cancellation)).EnsureSuccessStatusCode();
        }

        var refusing = Destination(await ClusterStatusAsync(proxy), "refusing");

        // The ejection reaches balancing a moment after the failure, so the second request may try it too.
        Assert.InRange(refusing.GetProperty("retries").GetInt64(), 1, 2);
        Assert.Equal(1, refusing.GetProperty("ejections").GetInt64());
        Assert.Equal("unhealthy", refusing.GetProperty("health").GetString());
        Assert.StartsWith("ejected (max_fails) for ", refusing.GetProperty("healthReason").GetString(), StringComparison.Ordinal);
        Assert.True(refusing.GetProperty("ejectedUntil").GetDateTimeOffset() > DateTimeOffset.UtcNow);
        Assert.Equal("error; retried on another destination", refusing.GetProperty("lastError").GetString());
        Assert.Equal(JsonValueKind.Null, Destination(await ClusterStatusAsync(proxy), backend.Name).GetProperty("lastError").ValueKind);
    }

    [Fact]
    public async Task Status_EveryDestinationUnhealthy_SaysTheClusterIsInPanic()
    {
        var cluster = new JsonObject
        {
            ["HealthCheck"] = new JsonObject { ["Passive"] = new JsonObject { ["Enabled"] = true } },
            ["Destinations"] = ProxyConfigurations.Destinations([("only", new Uri("http://127.0.0.1:1"))]),
        };
        await using var proxy = await InProcessProxy.StartAsync(ProxyConfigurations.CatchAll(Cluster, cluster), Cancellation);
        var state = proxy.Cluster(Cluster);

        proxy.Services.GetRequiredService<IDestinationHealthUpdater>()
            .SetPassive(state, state.Destinations.Values.Single(), DestinationHealth.Unhealthy, TimeSpan.FromMinutes(10));

        await Eventually.HoldsAsync(async () => (await ClusterStatusAsync(proxy)).GetProperty("panic").GetBoolean(),
            Timeout, "the status API says the cluster is in panic");
        var only = Destination(await ClusterStatusAsync(proxy), "only");
        Assert.Equal("unhealthy", only.GetProperty("health").GetString());
        Assert.EndsWith("panic mode: still used, no destination is healthy", only.GetProperty("healthReason").GetString(), StringComparison.Ordinal);
    }
}
