using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Ginx.Proxy.Telemetry;
using Ginx.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Ginx.Tests.Upstream;

/// <summary>
/// Over HTTP/2 (the default towards https destinations) a destination may answer an upload before it
/// has read it, 401 or 413, and reset the stream, which tells the sender to stop. YARP delivers the
/// answer and only then reports that the rest of the body was not sent: the request was answered,
/// not failed.
/// </summary>
public sealed class EarlyAnswerTests
{
    private const int BodyBytes = 4 * 1024 * 1024;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Put_AnsweredBeforeItsBodyWasRead_GetsTheAnswer_IsNotRetried_AndCountsNothingAgainstTheDestination(bool withRequestStep)
    {
        await using var early = await InProcessDestination.StartAsync(Answer(StatusCodes.Status401Unauthorized), Cancellation, protocols: "Http2");
        await using var second = await InProcessDestination.StartAsync(Answer(StatusCodes.Status200OK), Cancellation, protocols: "Http2");
        var configuration = ProxyConfigurations.CatchAll("backend", new JsonObject
        {
            ["LoadBalancingPolicy"] = "FirstAlphabetical",
            // Replayable, so the proxy would send it again if it took the answer for a failure.
            ["Metadata"] = new JsonObject { ["MaxReplayableBodyBytes"] = (2 * BodyBytes).ToString(System.Globalization.CultureInfo.InvariantCulture) },
            ["HttpRequest"] = new JsonObject { ["Version"] = "2", ["VersionPolicy"] = "RequestVersionExact" },
            ["Destinations"] = ProxyConfigurations.Destinations([("a-early", early.Address), ("b-second", second.Address)]),
        });
        var arrived = new ResponseArrived();
        await using var proxy = await InProcessProxy.StartAsync(
            configuration, Cancellation, services => services.AddSingleton<ITransformProvider>(arrived),
            withRequestStep ? null : InProcessProxy.BalancingAlone);

        // More than a destination's HTTP/2 stream takes unread, so the proxy is still sending when the
        // answer and the reset arrive; the client holds the second half back until then.
        var sendTheRest = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var upload = proxy.Client.PutAsync(
            "/upload", new GatedContent(RandomNumberGenerator.GetBytes(BodyBytes), new TaskCompletionSource(), sendTheRest.Task), Cancellation);
        await arrived.Task.WaitAsync(Cancellation);
        sendTheRest.SetResult();
        using var response = await upload;

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(Cancellation));
        Assert.Equal((1, 0), (early.Requests, second.Requests));
        var destination = proxy.Cluster("backend").Destinations.Values.Single(state => DestinationName.Of(state.DestinationId) == "a-early");
        Assert.Equal(DestinationHealth.Unknown, destination.Health.Passive);
        if (withRequestStep)
        {
            // The request's record is the request step's.
            var counter = proxy.Services.GetRequiredService<DestinationCounters>().For(destination);
            Assert.Equal((1L, 0L), (counter.Requests, counter.Failures));
        }
    }

    /// <summary>Answers with <paramref name="status"/> at once, without reading the request's body.</summary>
    private static RequestDelegate Answer(int status) => context =>
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    };

    /// <summary>Completes when the proxy has a destination's response headers.</summary>
    private sealed class ResponseArrived : ITransformProvider
    {
        private readonly TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Task => _arrived.Task;

        public void ValidateRoute(TransformRouteValidationContext context)
        {
        }

        public void ValidateCluster(TransformClusterValidationContext context)
        {
        }

        public void Apply(TransformBuilderContext context) => context.AddResponseTransform(transform =>
        {
            if (transform.ProxyResponse is not null)
            {
                _arrived.TrySetResult();
            }

            return ValueTask.CompletedTask;
        });
    }
}
