using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ginx.Proxy.Telemetry;
using Ginx.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;
using static Ginx.Tests.LoadBalancing.BalancedProxyConfiguration;
using static Ginx.Tests.LoadBalancing.BalancingTestCluster;

namespace Ginx.Tests.Telemetry;

public sealed class ActiveHealthProbeLogTests
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1.5);
    private static readonly HttpRequestException Refused =
        new(HttpRequestError.ConnectionError, "Connection refused (127.0.0.1:5082)", new SocketException((int)SocketError.ConnectionRefused));

    private readonly DestinationState _one = Destination("one[http://127.0.0.1:5082]");
    private readonly ClusterState _cluster;
    private readonly CountingPolicy _policy = new();
    private readonly DestinationCounters _counters = new(TimeProvider.System);
    private readonly FakeLogger<ActiveHealthProbeLog> _logger = new();
    private readonly ActiveHealthProbeLog _log;

    public ActiveHealthProbeLogTests()
    {
        var config = new ClusterConfig
        {
            ClusterId = "api",
            HealthCheck = new HealthCheckConfig { Active = new ActiveHealthCheckConfig { Enabled = true, Timeout = ProbeTimeout } },
        };
        _cluster = new ClusterState(config.ClusterId, new ClusterModel(config, new HttpMessageInvoker(new SocketsHttpHandler())));
        _log = new ActiveHealthProbeLog(_policy, _counters, Options.Create(new ActiveHealthCheckMonitorOptions()), _logger);
    }

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private void Probe(HttpStatusCode? status = null, Exception? exception = null) =>
        _log.ProbingCompleted(_cluster, [new DestinationProbingResult(_one, status is { } code ? new HttpResponseMessage(code) : null, exception)]);

    [Fact]
    public void ProbingCompleted_FailingTheSameWay_LoggedOnceWithTheReasonAndNoStackTrace()
    {
        Probe(exception: Refused);
        Probe(exception: Refused);
        Probe(exception: Refused);

        var record = Assert.Single(_logger.Collector.GetSnapshot());
        Assert.Equal(LogLevel.Warning, record.Level);
        Assert.Null(record.Exception);
        Assert.Equal("one", record.GetStructuredStateValue("Destination"));
        Assert.Equal("api", record.GetStructuredStateValue("Cluster"));
        Assert.Equal("Connection refused (127.0.0.1:5082)", record.GetStructuredStateValue("Reason"));
        Assert.Equal("Connection refused (127.0.0.1:5082)", _counters.For(_one).ProbeFailure);
        Assert.Equal(3, _policy.Calls);
    }

    [Fact]
    public void ProbingCompleted_ReasonChanges_LoggedAgain()
    {
        Probe(exception: Refused);
        Probe(HttpStatusCode.ServiceUnavailable);
        Probe(HttpStatusCode.ServiceUnavailable);

        Assert.Equal(
            ["Connection refused (127.0.0.1:5082)", "answered 503 Service Unavailable"],
            _logger.Collector.GetSnapshot().Select(record => record.GetStructuredStateValue("Reason")));
    }

    [Fact]
    public void ProbingCompleted_PassesAfterFailures_LoggedOnceWithTheCountAndTheReasonCleared()
    {
        Probe(HttpStatusCode.OK);
        Probe(exception: Refused);
        Probe(exception: Refused);
        Probe(HttpStatusCode.OK);
        Probe(HttpStatusCode.OK);

        var records = _logger.Collector.GetSnapshot();
        Assert.Equal(2, records.Count);
        Assert.Equal(LogLevel.Information, records[1].Level);
        Assert.Equal("2", records[1].GetStructuredStateValue("FailedProbes"));
        Assert.Null(_counters.For(_one).ProbeFailure);

        Probe(exception: Refused);
        Assert.Equal(3, _logger.Collector.Count);
        Assert.Equal(LogLevel.Warning, _logger.LatestRecord.Level);
    }

    [Fact]
    public void Describe_TimedOut_SaysHowLongItWaited()
    {
        var result = new DestinationProbingResult(_one, null, new TaskCanceledException());

        Assert.Equal("no answer within 1.5 s", ActiveHealthProbeLog.Describe(result, ProbeTimeout));
    }

    [Theory]
    [MemberData(nameof(WrappedFailures))]
    public void Describe_WrappedFailure_SaysTheInnermostCause(Exception failure, string reason) =>
        Assert.Equal(reason, ActiveHealthProbeLog.Describe(new DestinationProbingResult(_one, null, failure), ProbeTimeout));

    public static TheoryData<Exception, string> WrappedFailures() => new()
    {
        {
            new HttpRequestException("An error occurred while sending the request.", new IOException(
                "Unable to read data from the transport connection: Connection reset by peer.", new SocketException((int)SocketError.ConnectionReset))),
            new SocketException((int)SocketError.ConnectionReset).Message
        },
        {
            new HttpRequestException("The SSL connection could not be established, see inner exception.",
                new AuthenticationException("The remote certificate is invalid: UntrustedRoot")),
            "The remote certificate is invalid: UntrustedRoot"
        },
        { Refused, "Connection refused (127.0.0.1:5082)" },
        {
            new HttpRequestException(HttpRequestError.NameResolutionError, "Name or service not known (backend-9:80)",
                new SocketException((int)SocketError.HostNotFound)),
            "Name or service not known (backend-9:80)"
        },
        {
            new TaskCanceledException("The operation was canceled.", new TimeoutException("A connection could not be established within 15 seconds.")),
            "A connection could not be established within 15 seconds."
        },
    };

    [Fact]
    public void ProbingCompleted_DestinationMarkedDown_FailureLoggedAsInformation()
    {
        var down = Destination("down", ("Down", "true"));

        _log.ProbingCompleted(_cluster, [new DestinationProbingResult(down, null, Refused)]);

        Assert.Equal(LogLevel.Information, Assert.Single(_logger.Collector.GetSnapshot()).Level);
    }

    [Fact]
    public void ProbingCompleted_LoggerThrows_PolicyStillUpdatesHealth()
    {
        var log = new ActiveHealthProbeLog(_policy, _counters, Options.Create(new ActiveHealthCheckMonitorOptions()), new ThrowingLogger());

        Assert.Throws<InvalidOperationException>(() =>
            log.ProbingCompleted(_cluster, [new DestinationProbingResult(_one, null, Refused)]));

        Assert.Equal(1, _policy.Calls);
    }

    [Fact]
    public async Task Proxy_DestinationDead_ShippedSettingsLogTheReasonOnceWithoutYarpsStackTraces()
    {
        var backends = await InProcessBackend.StartManyAsync(2, Cancellation);
        await using var stopBackends = new AsyncDisposables(backends);
        var (alive, dead) = (backends[0], backends[1]);
        await dead.StopAsync();
        var configuration = Create("RoundRobin", [Destination(alive), Destination(dead)], JsonNode.Parse("""
            {
              "HealthCheck": { "Active": { "Enabled": true, "Interval": "00:00:00.100", "Timeout": "00:00:01", "Path": "/health" } },
              "Metadata": { "ConsecutiveFailuresHealthPolicy.Threshold": "3" }
            }
            """)!.AsObject());
        configuration["Logging"] = ShippedLoggingSettings();
        await using var proxy = await InProcessProxy.StartAsync(configuration, Cancellation, services => services.AddFakeLogging());

        // Unhealthy at a threshold of 3 means at least three probes have failed.
        var deadState = proxy.Cluster(ClusterId).Destinations.Values.Single(destination => DestinationName.Of(destination.DestinationId) == dead.Name);
        await Eventually.HoldsAsync(() => deadState.Health.Active == DestinationHealth.Unhealthy, TimeSpan.FromSeconds(30),
            $"{dead.Name} is found unhealthy by active probes");

        var records = proxy.Services.GetFakeLogCollector().GetSnapshot();
        var failed = Assert.Single(records, record => record.Category == typeof(ActiveHealthProbeLog).FullName
            && (string?)record.GetStructuredStateValue("Destination") == dead.Name);
        Assert.Equal(LogLevel.Warning, failed.Level);
        Assert.Contains("Connection refused", failed.GetStructuredStateValue("Reason"));
        Assert.DoesNotContain(records, record => record.Exception is not null);
        Assert.DoesNotContain(records, record => record.Category == "Yarp.ReverseProxy.Health.ActiveHealthCheckMonitor");

        using var admin = new HttpClient { BaseAddress = proxy.AdminAddress };
        using var status = JsonDocument.Parse(await admin.GetStringAsync("/ginx/status", Cancellation));
        var probeFailures = status.RootElement.GetProperty("clusters")[0].GetProperty("destinations").EnumerateArray()
            .ToDictionary(destination => destination.GetProperty("name").GetString()!, destination => destination.GetProperty("probeFailure").GetString());
        Assert.Null(probeFailures[alive.Name]);
        Assert.Equal(failed.GetStructuredStateValue("Reason"), probeFailures[dead.Name]);
    }

    [Fact]
    public async Task Proxy_ClustersOwnActivePolicy_ItsProbesAreLoggedToo()
    {
        var backends = await InProcessBackend.StartManyAsync(1, Cancellation);
        await using var stopBackends = new AsyncDisposables(backends);
        await backends[0].StopAsync();
        var policy = new CountingPolicy();
        var configuration = Create("RoundRobin", [Destination(backends[0])], JsonNode.Parse($$"""
            { "HealthCheck": { "Active": { "Enabled": true, "Interval": "00:00:00.100", "Path": "/health", "Policy": "{{policy.Name}}" } } }
            """)!.AsObject());
        await using var proxy = await InProcessProxy.StartAsync(configuration, Cancellation, services => services
            .AddFakeLogging()
            .AddSingleton<IActiveHealthCheckPolicy>(policy));

        var collector = proxy.Services.GetFakeLogCollector();
        await Eventually.HoldsAsync(
            () => policy.Calls > 0 && collector.GetSnapshot().Any(record => record.Category == typeof(ActiveHealthProbeLog).FullName),
            TimeSpan.FromSeconds(30), "the cluster's own policy is handed the probes, and the failed probe is logged");
    }

    /// <summary>The <c>Logging</c> section of the proxy's shipped <c>appsettings.json</c>.</summary>
    private static JsonNode ShippedLoggingSettings() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Shipped", "Ginx.Proxy.appsettings.json")))!["Logging"]!.DeepClone();

    /// <summary>Stands in for YARP's active policy: counts the results it is handed.</summary>
    private sealed class CountingPolicy : IActiveHealthCheckPolicy
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public string Name => "Counting";

        public void ProbingCompleted(ClusterState cluster, IReadOnlyList<DestinationProbingResult> probingResults) => Interlocked.Increment(ref _calls);
    }

    /// <summary>A logger whose provider fails on every entry.</summary>
    private sealed class ThrowingLogger : ILogger<ActiveHealthProbeLog>
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            throw new InvalidOperationException("The log is unavailable.");
    }
}
