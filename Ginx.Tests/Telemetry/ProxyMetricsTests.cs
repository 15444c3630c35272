using System.Net;
using Ginx.Proxy.Management;
using Ginx.Proxy.Upstream;
using Ginx.Proxy.Telemetry;
using Ginx.SampleBackend;
using Ginx.ServiceDefaults;
using Ginx.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Ginx.Tests.Telemetry;

public sealed class ProxyMetricsTests
{
    private const string Cluster = "metrics";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static MetricCollector<T> Collect<T>(InProcessProxy proxy, string instrument) where T : struct =>
        new(proxy.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), GinxTelemetry.ProxySourceName, instrument);

    private static async Task<(InProcessBackend[] Backends, InProcessProxy Proxy)> StartAsync(int backends)
    {
        var started = await InProcessBackend.StartManyAsync(backends, Cancellation);
        var proxy = await InProcessProxy.StartAsync(
            ClusterConfiguration.RoundRobin(Cluster, started.Select(backend => (backend.Name, backend.Address))), Cancellation);
        return (started, proxy);
    }

    [Fact]
    public async Task Requests_RoundRobinOverTwo_CountedPerDestinationWithTags()
    {
        var (backends, proxy) = await StartAsync(2);
        await using var _ = proxy;
        using var requests = Collect<long>(proxy, "ginx.proxy.requests");
        using var durations = Collect<double>(proxy, "ginx.proxy.request.duration");

        const int sent = 9;
        var served = new Dictionary<string, int>();
        for (var i = 0; i < sent; i++)
        {
            using var response = await proxy.Client.GetAsync("/", Cancellation);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var replica = Assert.Single(response.Headers.GetValues(ReplicaIdentity.HeaderName));
            served[replica] = served.GetValueOrDefault(replica) + 1;
        }

        // Recorded when the pipeline returns, which can be just after the client has the whole answer.
        await requests.WaitForMeasurementsAsync(sent, Timeout);
        await durations.WaitForMeasurementsAsync(sent, Timeout);

        var counted = requests.GetMeasurementSnapshot()
            .GroupBy(measurement => (string)measurement.Tags[ProxyTelemetryTags.Destination]!)
            .ToDictionary(group => group.Key, group => (int)group.Sum(measurement => measurement.Value));
        Assert.Equal(served.OrderBy(pair => pair.Key), counted.OrderBy(pair => pair.Key));
        Assert.Equal(backends.Select(backend => backend.Name).Order(), counted.Keys.Order());
        Assert.All(requests.GetMeasurementSnapshot(), measurement =>
        {
            Assert.Equal(Cluster, measurement.Tags[ProxyTelemetryTags.Cluster]);
            Assert.Equal(200, measurement.Tags[ProxyTelemetryTags.StatusCode]);
            Assert.Equal(ProxyOutcomes.Success, measurement.Tags[ProxyTelemetryTags.Outcome]);
        });

        Assert.All(durations.GetMeasurementSnapshot(), measurement =>
        {
            Assert.InRange(measurement.Value, double.Epsilon, Timeout.TotalSeconds);
            Assert.Equal(Cluster, measurement.Tags[ProxyTelemetryTags.Cluster]);
            Assert.Contains((string)measurement.Tags[ProxyTelemetryTags.Destination]!, served.Keys);
        });

        await Task.WhenAll(backends.Select(backend => backend.DisposeAsync().AsTask()));
    }

    [Fact]
    public async Task Requests_SlowDestination_DurationCoversTheDelay()
    {
        var (backends, proxy) = await StartAsync(1);
        await using var _ = proxy;
        await using var backend = backends[0];
        using var durations = Collect<double>(proxy, "ginx.proxy.request.duration");

        using var response = await proxy.Client.GetAsync("/delay/300", Cancellation);
        response.EnsureSuccessStatusCode();

        await durations.WaitForMeasurementsAsync(1, Timeout);
        Assert.InRange(Assert.Single(durations.GetMeasurementSnapshot()).Value, 0.3, Timeout.TotalSeconds);
    }

    [Fact]
    public async Task Requests_DestinationRefuses_CountedAsFailedWithStatus()
    {
        await using var proxy = await InProcessProxy.StartAsync(
            ClusterConfiguration.RoundRobin(Cluster, ("dead", new Uri("http://127.0.0.1:1"))), Cancellation);
        using var requests = Collect<long>(proxy, "ginx.proxy.requests");

        using var response = await proxy.Client.GetAsync("/", Cancellation);

        // Nothing accepted a connection, so the cluster is unavailable: 503.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        await requests.WaitForMeasurementsAsync(1, Timeout);
        var measurement = Assert.Single(requests.GetMeasurementSnapshot());
        Assert.Equal(ProxyOutcomes.Failed, measurement.Tags[ProxyTelemetryTags.Outcome]);
        Assert.Equal(503, measurement.Tags[ProxyTelemetryTags.StatusCode]);
        Assert.Equal("dead", measurement.Tags[ProxyTelemetryTags.Destination]);
    }

    [Fact]
    public async Task HealthGauge_DestinationTakenOut_FlipsToZeroAndRequestsAreRejected()
    {
        var (backends, proxy) = await StartAsync(1);
        await using var _ = proxy;
        await using var backend = backends[0];
        using var health = Collect<int>(proxy, "ginx.proxy.destination.health");
        using var requests = Collect<long>(proxy, "ginx.proxy.requests");

        health.RecordObservableInstruments();
        var before = Assert.Single(health.GetMeasurementSnapshot(clear: true));
        Assert.Equal(1, before.Value);
        Assert.Equal(backend.Name, before.Tags[ProxyTelemetryTags.Destination]);
        Assert.Equal(Cluster, before.Tags[ProxyTelemetryTags.Cluster]);

        var cluster = proxy.Cluster(Cluster);
        var destination = Assert.Single(cluster.Destinations.Values);
        proxy.Services.GetRequiredService<IDestinationHealthUpdater>()
            .SetPassive(cluster, destination, DestinationHealth.Unhealthy, TimeSpan.FromMinutes(10));
        await Eventually.HoldsAsync(() => cluster.DestinationsState.AvailableDestinations.Count == 0, Timeout, "no destination is available");

        health.RecordObservableInstruments();
        Assert.Equal(0, Assert.Single(health.GetMeasurementSnapshot()).Value);

        using var response = await proxy.Client.GetAsync("/", Cancellation);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        await requests.WaitForMeasurementsAsync(1, Timeout);
        var rejected = Assert.Single(requests.GetMeasurementSnapshot());
        Assert.Equal(ProxyOutcomes.Rejected, rejected.Tags[ProxyTelemetryTags.Outcome]);
        Assert.False(rejected.Tags.ContainsKey(ProxyTelemetryTags.Destination));
    }

    [Fact]
    public async Task ActiveRequests_WhileARequestIsInFlight_CountsItOnItsDestination()
    {
        var (backends, proxy) = await StartAsync(1);
        await using var _ = proxy;
        await using var backend = backends[0];
        using var active = Collect<int>(proxy, "ginx.proxy.active_requests");

        var slow = proxy.Client.GetAsync("/delay/60000", Cancellation);
        await Eventually.HoldsAsync(() => backend.Stats.Snapshot(backend.Name).InFlight == 1, Timeout, "the backend holds the slow request");

        active.RecordObservableInstruments();
        var measurement = Assert.Single(active.GetMeasurementSnapshot(clear: true));
        Assert.Equal(1, measurement.Value);
        Assert.Equal(backend.Name, measurement.Tags[ProxyTelemetryTags.Destination]);

        proxy.Client.CancelPendingRequests();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => slow);
        await Eventually.HoldsAsync(() =>
        {
            active.RecordObservableInstruments();
            return active.GetMeasurementSnapshot(clear: true).Single().Value == 0;
        }, Timeout, "no request is active");
    }

    [Fact]
    public async Task Retries_RetryAttempted_CountedWithClusterAndReason()
    {
        await using var proxy = await InProcessProxy.StartAsync(
            ClusterConfiguration.RoundRobin(Cluster, ("dead", new Uri("http://127.0.0.1:1"))), Cancellation);
        using var retries = Collect<long>(proxy, "ginx.proxy.retries");
        var metrics = proxy.Services.GetRequiredService<ProxyMetrics>();
        var dead = proxy.Cluster(Cluster).Destinations.Values.Single();

        metrics.RetryAttempted(Cluster, dead, "connect-failure");
        metrics.RetryAttempted(Cluster, dead, "connect-failure");
        metrics.RetryAttempted(Cluster, dead, "status-503");

        var byReason = retries.GetMeasurementSnapshot()
            .GroupBy(measurement => (string)measurement.Tags[ProxyTelemetryTags.RetryReason]!)
            .ToDictionary(group => group.Key, group => group.Sum(measurement => measurement.Value));
        Assert.Equal(2, byReason["connect-failure"]);
        Assert.Equal(1, byReason["status-503"]);
        Assert.All(retries.GetMeasurementSnapshot(), measurement => Assert.Equal(Cluster, measurement.Tags[ProxyTelemetryTags.Cluster]));
    }

    [Fact]
    public async Task Ejections_DestinationEjected_CountedUnderItsConfiguredName()
    {
        await using var proxy = await InProcessProxy.StartAsync(
            ClusterConfiguration.RoundRobin(Cluster, ("dead", new Uri("http://127.0.0.1:1"))), Cancellation);
        using var ejections = Collect<long>(proxy, "ginx.proxy.ejections");

        proxy.Services.GetRequiredService<ProxyMetrics>()
            .DestinationEjected(Cluster, new DestinationState("backend-2[http://localhost:41234]"), "consecutive_5xx", TimeSpan.FromSeconds(10));

        var measurement = Assert.Single(ejections.GetMeasurementSnapshot());
        Assert.Equal(1, measurement.Value);
        Assert.Equal("backend-2", measurement.Tags[ProxyTelemetryTags.Destination]);
        Assert.Equal("consecutive_5xx", measurement.Tags[ProxyTelemetryTags.EjectionReason]);
        Assert.Equal(Cluster, measurement.Tags[ProxyTelemetryTags.Cluster]);
    }

    [Theory]
    [InlineData(2, true, 200, ProxyOutcomes.Retried)]
    [InlineData(2, true, 502, ProxyOutcomes.Failed)]
    [InlineData(1, false, 503, ProxyOutcomes.Failed)]
    [InlineData(0, false, 503, ProxyOutcomes.Rejected)]
    public async Task Requests_AfterAttempts_CountedWithTheirOutcome(int attempts, bool answered, int status, string outcome)
    {
        var (backends, proxy) = await StartAsync(1);
        await using var _ = proxy;
        await using var backend = backends[0];
        using var requests = Collect<long>(proxy, "ginx.proxy.requests");
        var cluster = proxy.Cluster(Cluster);

        // Stands in for the attempts and the forwarder: attempts sent to a destination, and the last
        // attempt's destination (none if a retry found none left, or nothing was ever sent). None of
        // these answers is one to retry.
        var middleware = ActivatorUtilities.CreateInstance<ProxyRequestMiddleware>(
            proxy.Services,
            (RequestDelegate)(context =>
            {
                var sent = context.Features.Get<ProxyAttemptFeature>()!;
                for (var i = 0; i < attempts; i++)
                {
                    sent.Started();
                }

                context.GetReverseProxyFeature().ProxiedDestination = answered ? cluster.Destinations.Values.Single() : null;
                context.Response.StatusCode = status;
                return Task.CompletedTask;
            }));
        var context = new DefaultHttpContext();
        context.Features.Set<IReverseProxyFeature>(new TestReverseProxyFeature(cluster));

        await middleware.InvokeAsync(context);

        var measurement = Assert.Single(requests.GetMeasurementSnapshot());
        Assert.Equal(outcome, measurement.Tags[ProxyTelemetryTags.Outcome]);
        Assert.Equal(status, measurement.Tags[ProxyTelemetryTags.StatusCode]);
        Assert.Equal(answered ? backend.Name : null, measurement.Tags.GetValueOrDefault(ProxyTelemetryTags.Destination));
    }

    [Theory]
    [InlineData("backend-1[http://localhost:41234]", "backend-1")]
    [InlineData("backend-1", "backend-1")]
    [InlineData("[odd]", "[odd]")]
    [InlineData("a[b", "a[b")]
    public void DestinationName_ServiceDiscoverySuffix_IsStripped(string destinationId, string expected) =>
        Assert.Equal(expected, DestinationName.Of(destinationId));
}
