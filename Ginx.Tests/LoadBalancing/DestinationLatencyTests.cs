using System.Text.Json.Nodes;
using Ginx.Proxy.LoadBalancing;
using Ginx.Proxy.Upstream;
using Ginx.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Ginx.Tests.LoadBalancing;

/// <summary>
/// The latency <c>PeakEwma</c> balances on is how long a destination took to answer, not how long its
/// answer took to pass on: a download to a slow client, server-sent events or a WebSocket says nothing
/// about the destination's speed. A failure is never fast.
/// </summary>
public sealed class DestinationLatencyTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Latency_OfAStreamedResponse_IsTheTimeToItsHeaders_NotHowLongTheStreamLasted(bool withRequestStep)
    {
        var time = new FakeTimeProvider();
        var finish = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var destination = await InProcessDestination.StartAsync(async context =>
        {
            await context.Response.WriteAsync("first part, ", Cancellation);
            await context.Response.Body.FlushAsync(Cancellation);
            await finish.Task;
            await context.Response.WriteAsync("and the rest", Cancellation);
        }, Cancellation);
        var configuration = ProxyConfigurations.CatchAll("backend", new JsonObject
        {
            ["LoadBalancingPolicy"] = "PeakEwma",
            ["Destinations"] = ProxyConfigurations.Destinations([("streaming", destination.Address)]),
        });
        await using var proxy = await InProcessProxy.StartAsync(
            configuration, Cancellation, services => services.AddSingleton<TimeProvider>(time),
            withRequestStep ? null : InProcessProxy.BalancingAlone);

        // The answer starts at once, then streams for a minute.
        using var response = await proxy.Client.GetAsync("/", HttpCompletionOption.ResponseHeadersRead, Cancellation);
        time.Advance(TimeSpan.FromMinutes(1));
        finish.SetResult();
        Assert.Equal("first part, and the rest", await response.Content.ReadAsStringAsync(Cancellation));

        var runtime = DestinationRuntime.Of(proxy.Cluster("backend").Destinations.Values.Single());
        await Eventually.HoldsAsync(() => runtime.HasLatency, TimeSpan.FromSeconds(10), "the proxy records the request's latency");
        Assert.Equal(0, runtime.LatencyMs(time.GetTimestamp(), time));
    }

    [Fact]
    public async Task Latency_OfAnAttemptAnswered500AtOnce_IsTheFailureLatency()
    {
        var time = new FakeTimeProvider();
        await using var destination = await InProcessDestination.StartAsync(context =>
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return Task.CompletedTask;
        }, Cancellation);
        var configuration = ProxyConfigurations.CatchAll("backend", new JsonObject
        {
            ["LoadBalancingPolicy"] = "PeakEwma",
            ["Destinations"] = ProxyConfigurations.Destinations([("failing", destination.Address)]),
        });
        await using var proxy = await InProcessProxy.StartAsync(
            configuration, Cancellation, services => services.AddSingleton<TimeProvider>(time));

        using var response = await proxy.Client.GetAsync("/", Cancellation);
        Assert.Equal(500, (int)response.StatusCode);

        var runtime = DestinationRuntime.Of(proxy.Cluster("backend").Destinations.Values.Single());
        await Eventually.HoldsAsync(() => runtime.HasLatency, TimeSpan.FromSeconds(10), "the proxy records the attempt's latency");
        Assert.Equal(DestinationRuntime.FailureLatency.TotalMilliseconds, runtime.LatencyMs(time.GetTimestamp(), time));
    }
}
