using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Ginx.SampleBackend;
using Ginx.SampleBackend.Rpc;
using Ginx.Tests.Support;
using Grpc.Net.Client;

namespace Ginx.Tests.Topology;

/// <summary>WebSocket sessions through the proxy's HTTP/1.1 listener.</summary>
[Collection(TopologyCollection.Name)]
public sealed class WebSocketForwardingTests(GinxTopologyFixture topology)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Session_HundredEchoes_ThirtySecondsIdle_CleanClose_AndPeakEwmaSeesOnlyTheHandshake()
    {
        // Through the PeakEwma cluster: were a session's whole length taken for its replica's
        // latency, that replica would look 30 s slow.
        using var socket = await ConnectAsync(GinxTopologyFixture.PeakEwmaHost);
        var replica = await GreetingAsync(socket);

        for (var i = 0; i < 100; i++)
        {
            await EchoAsync(socket, $"echo {i}");
        }

        await Task.Delay(TimeSpan.FromSeconds(30), Cancellation);
        await EchoAsync(socket, "still there");

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", Cancellation).WaitAsync(Patience, Cancellation);
        Assert.Equal(WebSocketState.Closed, socket.State);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);

        var peakEwma = GinxTopologyFixture.PeakEwmaHost.Split('.')[0];
        await Eventually.HoldsAsync(async () =>
                (await topology.DestinationStatusAsync(peakEwma, Cancellation))[replica].GetProperty("activeRequests").GetInt32() == 0,
            Patience, "the proxy has ended the session");
        var latency = (await topology.DestinationStatusAsync(peakEwma, Cancellation))[replica].GetProperty("ewmaLatencyMs").GetDouble();
        Assert.InRange(latency, 0, 1_000);
    }

    [Fact]
    public async Task Session_ItsReplicaKilled_ClientGetsACloseOrAnError_AndGrpcCallsMoveOn()
    {
        using var socket = await ConnectAsync(host: null);
        var replica = await GreetingAsync(socket);
        try
        {
            await topology.KillReplicaAsync(replica, Cancellation);

            // Bounded: a hang is the failure this test is for.
            var buffer = new byte[1024];
            try
            {
                var result = await socket.ReceiveAsync(buffer, Cancellation).WaitAsync(Patience, Cancellation);
                Assert.Equal(WebSocketMessageType.Close, result.MessageType);
            }
            catch (WebSocketException)
            {
                // The connection broke off: the client knows the session is over.
            }

            // Its gRPC listener refuses connections now; a call that was never sent moves on to another replica.
            using var channel = GrpcChannel.ForAddress(topology.GrpcAddress);
            var client = new Replica.ReplicaClient(channel);
            for (var i = 0; i < 3 * topology.Replicas.Count; i++)
            {
                var reply = await client.DescribeAsync(new DescribeRequest(), deadline: DateTime.UtcNow + Patience, cancellationToken: Cancellation);
                Assert.NotEqual(replica, reply.Replica);
            }
        }
        finally
        {
            await topology.EnsureAllReplicasServeAsync(Cancellation);
        }
    }

    private async Task<ClientWebSocket> ConnectAsync(string? host)
    {
        var socket = new ClientWebSocket();
        if (host is not null)
        {
            socket.Options.SetRequestHeader("Host", host);
        }

        await socket.ConnectAsync(new UriBuilder(new Uri(topology.ProxyAddress, "/ws")) { Scheme = "ws" }.Uri, Cancellation)
            .WaitAsync(Patience, Cancellation);
        return socket;
    }

    /// <summary>The replica the first message names.</summary>
    private static async Task<string> GreetingAsync(ClientWebSocket socket)
    {
        var greeting = JsonSerializer.Deserialize<WebSocketEndpoints.Greeting>(await ReceiveTextAsync(socket), JsonSerializerOptions.Web);
        Assert.NotNull(greeting);
        return greeting.Replica;
    }

    private static async Task EchoAsync(ClientWebSocket socket, string message)
    {
        await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, endOfMessage: true, Cancellation)
            .WaitAsync(Patience, Cancellation);
        Assert.Equal(message, await ReceiveTextAsync(socket));
    }

    private static async Task<string> ReceiveTextAsync(ClientWebSocket socket)
    {
        var buffer = new byte[WebSocketEndpoints.MaxMessageBytes];
        var received = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer.AsMemory(received), Cancellation).AsTask().WaitAsync(Patience, Cancellation);
            received += result.Count;
        }
        while (!result.EndOfMessage);

        Assert.Equal(WebSocketMessageType.Text, result.MessageType);
        return Encoding.UTF8.GetString(buffer, 0, received);
    }
}
