using System.Text;
using Ginx.Proxy.Configuration;
using Ginx.Proxy.Retries;
using Ginx.Proxy.Upstream;
using Ginx.Tests.LoadBalancing;
using Ginx.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Model;

namespace Ginx.Tests.Retries;

/// <summary>
/// <see cref="RequestRetries"/> driven directly, for what a real proxy does only by a race: an
/// answer held back for another attempt that, by the time the attempt ends, can no longer be made.
/// </summary>
public sealed class HeldBackAnswerTests
{
    private const int ReplayLimit = 1024;

    [Theory]
    [InlineData("the body outgrew the replay limit")]
    [InlineData("the client left")]
    public async Task HeldBackAnswer_WhoseRetryCanNoLongerBeMade_GoesBackWithoutItsBodysHeaders(string meanwhile)
    {
        var cluster = BalancingTestCluster.Cluster(2);
        var context = Request(cluster, body: new string('x', 4 * ReplayLimit));
        using var client = new CancellationTokenSource();
        context.RequestAborted = client.Token;
        var retries = Retries();
        var retry = retries.Begin(context, context.GetReverseProxyFeature(), new ProxyAttemptFeature(), TimeProvider.System.GetTimestamp());

        // The attempt: the destination answers 503 with a body; the transform holds it back for another attempt...
        var proxy = context.GetReverseProxyFeature();
        proxy.ProxiedDestination = proxy.AvailableDestinations[0];
        await context.Request.Body.ReadExactlyAsync(new byte[ReplayLimit / 2], TestContext.Current.CancellationToken);
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentLength = 19;
        context.Response.ContentType = "text/plain";
        context.Response.Headers.RetryAfter = "5";
        Assert.True(retry.TryHoldBack(StatusCodes.Status503ServiceUnavailable));

        // ...and meanwhile a read of the body that was under way completes past what can be
        // kept, or the client goes away.
        if (meanwhile == "the client left")
        {
            await client.CancelAsync();
        }
        else
        {
            await context.Request.Body.ReadExactlyAsync(new byte[2 * ReplayLimit], TestContext.Current.CancellationToken);
        }

        Assert.False(retries.TryAgain(context, retry, AttemptResult.Of(context)));
        RequestRetries.End(context, retry);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
        Assert.Null(context.Response.ContentLength);
        Assert.Null(context.Response.ContentType);
        Assert.Equal("5", context.Response.Headers.RetryAfter);
    }

    private static RequestRetries Retries()
    {
        var options = new RetryOptions { MaxReplayableBodyBytes = ReplayLimit };
        return new RequestRetries(
            new ClusterSettingsCache<RetryOptions>(Options.Create(options)),
            StandaloneProxyMetrics.Create(),
            TimeProvider.System,
            NullLogger<RequestRetries>.Instance);
    }

    // A chunked PUT, as YARP's pipeline initializer leaves it for the middlewares after it.
    private static DefaultHttpContext Request(ClusterState cluster, string body)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Put;
        context.Request.Body = new MemoryStream(Encoding.ASCII.GetBytes(body));
        context.Features.Set<IReverseProxyFeature>(new TestReverseProxyFeature(cluster));
        return context;
    }
}
