using System.Net.WebSockets;
using Ginx.SampleBackend.Rpc;
using Grpc.Core;
using Grpc.Net.Client;

namespace Ginx.AppHost;

/// <summary>
/// The streaming side of the generated traffic, a round every few seconds: a gRPC call and a short
/// gRPC server stream through the proxy's HTTP/2 listener, and a WebSocket session and a short
/// server-sent-events subscription through its HTTP/1.1 one. Small and short, so each kind shows in
/// the traces and metrics without crowding out the request mix.
/// </summary>
internal sealed class StreamingWorkload(HttpClient http, Uri grpc) : IDisposable
{
    /// <summary>How many exchanges a round makes through the HTTP/1.1 listener: the WebSocket session and the subscription.</summary>
    public const int Http1ExchangesPerRound = 2;

    private const int Messages = 5;
    private const int IntervalMs = 100;

    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(grpc);

    /// <summary>
    /// Runs one round, each kind at once, to its end. Failures are part of the show (a replica was
    /// killed, chaos is on); they are not the workload's to report.
    /// </summary>
    public Task RunRoundAsync() => Task.WhenAll(
        SafelyAsync(GrpcAsync),
        SafelyAsync(WebSocketAsync),
        SafelyAsync(EventsAsync));

    public void Dispose() => _channel.Dispose();

    private async Task GrpcAsync(CancellationToken timeout)
    {
        var client = new Replica.ReplicaClient(_channel);
        await client.DescribeAsync(new DescribeRequest(), cancellationToken: timeout);
        using var ticks = client.Tick(new TickRequest { Count = Messages, IntervalMs = IntervalMs }, cancellationToken: timeout);
        await foreach (var _ in ticks.ResponseStream.ReadAllAsync(timeout))
        {
        }
    }

    private async Task WebSocketAsync(CancellationToken timeout)
    {
        using var socket = new ClientWebSocket();
        var address = new UriBuilder(new Uri(http.BaseAddress!, "/ws")) { Scheme = "ws" }.Uri;
        await socket.ConnectAsync(address, timeout);
        var buffer = new byte[4096];
        await socket.ReceiveAsync(buffer, timeout); // The greeting: which replica holds the session.
        for (var i = 0; i < Messages; i++)
        {
            await socket.SendAsync("echo"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, timeout);
            await socket.ReceiveAsync(buffer, timeout);
        }

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout);
    }

    private async Task EventsAsync(CancellationToken timeout)
    {
        using var response = await http.GetAsync($"/events?intervalMs={IntervalMs}&count={Messages}", HttpCompletionOption.ResponseHeadersRead, timeout);
        await response.Content.CopyToAsync(Stream.Null, timeout);
    }

    private static async Task SafelyAsync(Func<CancellationToken, Task> exchange)
    {
        // Bounded, so a stalled proxy cannot hold up a round, and with it the generator's stop.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await exchange(timeout.Token);
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException or IOException or WebSocketException or RpcException)
        {
        }
    }
}
