using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Ginx.Tests.Support;

namespace Ginx.Tests.Upstream;

/// <summary>A client sending <c>Expect: 100-continue</c> has its body flow at once, whatever the destination does about 100.</summary>
public sealed class ExpectContinueTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Post_ExpectingContinue_ToADestinationThatNeverSays100_ReachesItWithoutTheExpectation()
    {
        // A destination that never sends 100: it reads the request head, then waits for the body.
        using var destination = new TcpListener(IPAddress.Loopback, 0);
        destination.Start();
        var received = ReceiveOneAsync(destination);
        await using var proxy = await InProcessProxy.StartAsync(ProxyConfigurations.CatchAll("backend", new JsonObject
        {
            ["Destinations"] = ProxyConfigurations.Destinations([("d", new Uri($"http://127.0.0.1:{((IPEndPoint)destination.LocalEndpoint).Port}"))]),
        }), Cancellation);

        // The client would wait 10 s for a 100: only the proxy's answering it lets the body go.
        using var client = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromSeconds(10) }) { BaseAddress = proxy.Address };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/upload") { Content = new StringContent("hello") };
        request.Headers.ExpectContinue = true;
        using var response = await client.SendAsync(request, Cancellation).WaitAsync(TimeSpan.FromSeconds(30), Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (head, body) = await received.WaitAsync(TimeSpan.FromSeconds(30), Cancellation);
        // Forwarded, the expectation made the proxy's own client hold the body back for a second.
        Assert.DoesNotContain("Expect:", head, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("hello", body);
    }

    /// <summary>Accepts one request, reads its head and its Content-Length body, answers 200.</summary>
    private static async Task<(string Head, string Body)> ReceiveOneAsync(TcpListener listener)
    {
        using var connection = await listener.AcceptTcpClientAsync(Cancellation);
        var stream = connection.GetStream();
        var received = new List<byte>();
        var buffer = new byte[4096];
        int end;
        while ((end = Encoding.ASCII.GetString([.. received]).IndexOf("\r\n\r\n", StringComparison.Ordinal)) < 0)
        {
            var read = await stream.ReadAsync(buffer, Cancellation);
            Assert.NotEqual(0, read);
            received.AddRange(buffer.AsSpan(0, read));
        }

        var head = Encoding.ASCII.GetString([.. received], 0, end);
        var length = int.Parse(head.Split("\r\n").Single(line => line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))["Content-Length:".Length..].Trim(),
            System.Globalization.CultureInfo.InvariantCulture);
        while (received.Count < end + 4 + length)
        {
            var read = await stream.ReadAsync(buffer, Cancellation);
            Assert.NotEqual(0, read);
            received.AddRange(buffer.AsSpan(0, read));
        }

        await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), Cancellation);
        return (head, Encoding.ASCII.GetString([.. received], end + 4, length));
    }
}
