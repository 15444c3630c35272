using System.Net;
using System.Text.Json.Nodes;
using Ginx.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace Ginx.Tests.Upstream;

/// <summary>
/// A client that sends <c>Expect: 100-continue</c> gets its 100 from the proxy, as from nginx, and
/// its body flows at once, whatever the destination does with expectations.
/// </summary>
public sealed class ExpectContinueTests
{
    private const int BodyBytes = 16 * 1024;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Put_ExpectingContinue_DestinationThatNeverSends100_GetsTheBodyWithoutTheExpectation()
    {
        using var destination = RawHttpDestination.Start();
        await using var proxy = await StartProxyAsync(destination.Address);
        using var client = ClientWaitingLongFor100(proxy.Address);

        using var response = await client.SendAsync(ExpectingContinue(), Cancellation).WaitAsync(TimeSpan.FromSeconds(5), Cancellation);

        // The client waits up to 10 s for a 100 before sending its body: an answer within 5 s means
        // the proxy sent it one. The forwarded request has nothing to make the proxy's own client wait.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(destination.Requests);
        Assert.False(received.HasHeader("Expect"), received.Head);
        Assert.Equal(BodyBytes, received.BodyBytes);
    }

    [Fact]
    public async Task Put_ExpectingContinue_DestinationAnswersBeforeReadingTheBody_ClientGetsThatAnswer()
    {
        await using var destination = await InProcessDestination.StartAsync(
            context =>
            {
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                return Task.CompletedTask;
            },
            Cancellation,
            protocols: "Http1");
        await using var proxy = await StartProxyAsync(destination.Address);
        using var client = ClientWaitingLongFor100(proxy.Address);

        using var response = await client.SendAsync(ExpectingContinue(), Cancellation).WaitAsync(TimeSpan.FromSeconds(5), Cancellation);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    private static Task<InProcessProxy> StartProxyAsync(Uri destination) =>
        InProcessProxy.StartAsync(
            ProxyConfigurations.CatchAll("backend", new JsonObject
            {
                ["Destinations"] = ProxyConfigurations.Destinations([("d", destination)]),
            }),
            Cancellation);

    private static HttpClient ClientWaitingLongFor100(Uri proxy) =>
        new(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromSeconds(10) }) { BaseAddress = proxy };

    private static HttpRequestMessage ExpectingContinue()
    {
        var request = new HttpRequestMessage(HttpMethod.Put, "/upload") { Content = new ByteArrayContent(new byte[BodyBytes]) };
        request.Headers.ExpectContinue = true;
        return request;
    }
}
