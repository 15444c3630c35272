using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Ginx.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebSockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Ginx.Tests.Upstream;

/// <summary>RFC 9110 §7.6.1: the headers a <c>Connection</c> header names are for the next hop only, so a proxy drops them.</summary>
public sealed class HopByHopHeadersTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Request_HeaderNamedInConnection_DoesNotReachTheDestination_OtherHeadersDo()
    {
        await using var destination = await InProcessDestination.StartAsync(context =>
        {
            context.Response.Headers["X-Saw-Secret"] = context.Request.Headers.ContainsKey("X-Secret").ToString();
            context.Response.Headers["X-Saw-Other"] = context.Request.Headers["X-Other"];
            return Task.CompletedTask;
        }, Cancellation);
        await using var proxy = await StartProxyAsync(destination);

        // Raw: HttpClient sends only the Connection options it knows. Kestrel reports a Connection
        // header that also lists keep-alive or close as that token alone, so the test lists one name.
        var head = await SendRawAsync(proxy.Address,
            "GET / HTTP/1.1\r\nHost: ginx\r\nConnection: X-Secret\r\nX-Secret: 1\r\nX-Other: kept\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 200", head, StringComparison.Ordinal);
        Assert.Contains("X-Saw-Secret: False\r\n", head, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("X-Saw-Other: kept\r\n", head, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Response_HeaderNamedInConnection_DoesNotReachTheClient_OtherHeadersDo()
    {
        await using var destination = await InProcessDestination.StartAsync(context =>
        {
            context.Response.Headers.Connection = "X-Hop-Resp";
            context.Response.Headers["X-Hop-Resp"] = "1";
            context.Response.Headers["X-End-To-End"] = "kept";
            return Task.CompletedTask;
        }, Cancellation);
        await using var proxy = await StartProxyAsync(destination);

        using var response = await proxy.Client.GetAsync("/", Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Hop-Resp"), "the destination's hop-by-hop header reached the client");
        Assert.Equal("kept", Assert.Single(response.Headers.GetValues("X-End-To-End")));
    }

    [Fact]
    public async Task WebSocket_ThroughTheProxy_StillUpgradesAndEchoes()
    {
        await using var destination = await InProcessDestination.StartAsync(EchoWebSocketAsync, Cancellation);
        await using var proxy = await StartProxyAsync(destination);

        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new UriBuilder(proxy.Address) { Scheme = "ws", Path = "/echo" }.Uri, Cancellation);
        await socket.SendAsync("ping"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, Cancellation);
        var buffer = new byte[16];
        var received = await socket.ReceiveAsync(buffer, Cancellation);

        Assert.Equal("ping", Encoding.UTF8.GetString(buffer, 0, received.Count));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, Cancellation);
    }

    /// <summary>Sends <paramref name="request"/> as written and returns the answer's head.</summary>
    private static async Task<string> SendRawAsync(Uri address, string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(address.Host, address.Port, Cancellation);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), Cancellation);
        var head = new StringBuilder();
        var buffer = new byte[4096];
        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, Cancellation);
            Assert.NotEqual(0, read);
            head.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return head.ToString();
    }

    private static Task<InProcessProxy> StartProxyAsync(InProcessDestination destination) =>
        InProcessProxy.StartAsync(ProxyConfigurations.CatchAll("backend", new System.Text.Json.Nodes.JsonObject
        {
            ["Destinations"] = ProxyConfigurations.Destinations([("d", destination.Address)]),
        }), Cancellation);

    /// <summary>Accepts a WebSocket (the bare destination runs no middleware, so the handler runs it) and echoes one message.</summary>
    private static Task EchoWebSocketAsync(HttpContext context) =>
        new WebSocketMiddleware(async context =>
        {
            Assert.True(context.WebSockets.IsWebSocketRequest, "the proxy did not forward the upgrade");
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[16];
            var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
            await socket.SendAsync(buffer.AsMemory(0, received.Count), WebSocketMessageType.Text, endOfMessage: true, context.RequestAborted);
            await socket.ReceiveAsync(buffer, context.RequestAborted);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, context.RequestAborted);
        }, Options.Create(new WebSocketOptions()), NullLoggerFactory.Instance).Invoke(context);
}
