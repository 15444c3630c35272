using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Ginx.Proxy.Telemetry;
using Ginx.Proxy.Upstream;
using Ginx.ServiceDefaults;
using Ginx.Tests.Support;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Ginx.Tests.Telemetry;

public sealed class ProxyTracingTests : IDisposable
{
    // Unique per test: the listener sees every span of the test process, other tests' included.
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly string _cluster = "traced-" + Guid.NewGuid().ToString("N")[..8];
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public ProxyTracingTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Microsoft.AspNetCore" or "System.Net.Http" or GinxTelemetry.ProxySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private Activity? ProxySpan() => _stopped.FirstOrDefault(activity =>
        activity.Source.Name == "Microsoft.AspNetCore" && (string?)activity.GetTagItem(ProxyTelemetryTags.Cluster) == _cluster);

    [Fact]
    public async Task ProxySpan_Forwarded_CarriesClusterDestinationPolicyAndAttemptAndReachesTheReplica()
    {
        await using var backend = await InProcessBackend.StartAsync("traced-1", Cancellation);
        await using var proxy = await InProcessProxy.StartAsync(
            ClusterConfiguration.RoundRobin(_cluster, (backend.Name, backend.Address)), Cancellation);

        using var response = await proxy.Client.GetAsync("/", Cancellation);
        response.EnsureSuccessStatusCode();

        await Eventually.HoldsAsync(() => ProxySpan() is not null, Timeout, "the proxy span has stopped");
        var span = ProxySpan()!;
        Assert.Equal(backend.Name, span.GetTagItem(ProxyTelemetryTags.Destination));
        Assert.Equal("RoundRobin", span.GetTagItem(ProxyTelemetryTags.Policy));
        Assert.Equal(1, span.GetTagItem(ProxyTelemetryTags.Attempt));
        Assert.NotEqual(ActivityStatusCode.Error, span.Status);

        // The replica's server span continues the proxy's trace: proxy span, attempt span, the
        // forwarder's client span, then the replica.
        await Eventually.HoldsAsync(() => _stopped.Any(activity => activity.Source.Name == "Microsoft.AspNetCore"
            && activity.TraceId == span.TraceId && activity.SpanId != span.SpanId), Timeout, "the replica's span has stopped");
        var replicaSpan = _stopped.First(activity => activity.Source.Name == "Microsoft.AspNetCore"
            && activity.TraceId == span.TraceId && activity.SpanId != span.SpanId);
        var clientSpan = _stopped.Single(activity => activity.SpanId == replicaSpan.ParentSpanId);
        var attemptSpan = _stopped.Single(activity => activity.SpanId == clientSpan.ParentSpanId);
        Assert.Equal(ProxyActivitySource.AttemptActivityName, attemptSpan.OperationName);
        Assert.Equal(span.SpanId, attemptSpan.ParentSpanId);
    }

    [Fact]
    public async Task ProxySpan_DestinationRefuses_HasErrorStatus()
    {
        await using var proxy = await InProcessProxy.StartAsync(
            ClusterConfiguration.RoundRobin(_cluster, ("dead", new Uri("http://127.0.0.1:1"))), Cancellation);

        using var response = await proxy.Client.GetAsync("/", Cancellation);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);

        await Eventually.HoldsAsync(() => ProxySpan() is not null, Timeout, "the proxy span has stopped");
        var span = ProxySpan()!;
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(ProxyOutcomes.Failed, span.GetTagItem(ProxyTelemetryTags.Outcome));
    }

    [Fact]
    public async Task AttemptSpans_TwoAttempts_AreChildrenOfTheProxySpanWithNumberDestinationAndStatus()
    {
        await using var proxy = await InProcessProxy.StartAsync(
            ClusterConfiguration.RoundRobin(_cluster, ("b-1", new Uri("http://127.0.0.1:1"))), Cancellation);
        var cluster = proxy.Cluster(_cluster);
        var context = new DefaultHttpContext();
        var feature = new TestReverseProxyFeature(cluster);
        context.Features.Set<IReverseProxyFeature>(feature);
        using var parent = new Activity("proxy").Start();

        // The way the retry middleware uses it: a failed first attempt, then one that succeeds.
        var first = ProxyActivitySource.StartAttempt(_cluster, 1);
        feature.ProxiedDestination = cluster.Destinations.Values.Single();
        context.Response.StatusCode = StatusCodes.Status502BadGateway;
        context.Features.Set<IForwarderErrorFeature>(new TestForwarderError(ForwarderError.Request));
        ProxyActivitySource.StopAttempt(first, context, AttemptResult.Of(context));

        context.Features.Set<IForwarderErrorFeature>(null);
        var second = ProxyActivitySource.StartAttempt(_cluster, 2);
        context.Response.StatusCode = StatusCodes.Status200OK;
        ProxyActivitySource.StopAttempt(second, context, AttemptResult.Of(context));

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.All([first, second], attempt =>
        {
            Assert.Equal(ProxyActivitySource.AttemptActivityName, attempt.OperationName);
            Assert.Equal(parent.SpanId, attempt.ParentSpanId);
            Assert.Equal(_cluster, attempt.GetTagItem(ProxyTelemetryTags.Cluster));
            Assert.Equal("b-1", attempt.GetTagItem(ProxyTelemetryTags.Destination));
        });
        Assert.Equal(1, first.GetTagItem(ProxyTelemetryTags.Attempt));
        Assert.Equal(2, second.GetTagItem(ProxyTelemetryTags.Attempt));
        Assert.Equal(ActivityStatusCode.Error, first.Status);
        Assert.NotEqual(ActivityStatusCode.Error, second.Status);
        Assert.Same(parent, Activity.Current);
    }

    public void Dispose() => _listener.Dispose();

    private sealed class TestForwarderError(ForwarderError error) : IForwarderErrorFeature
    {
        public ForwarderError Error => error;

        public Exception? Exception => null;
    }
}
