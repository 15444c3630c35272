using System.Net.WebSockets;
using System.Text.Json;

namespace Ginx.SampleBackend;

/// <summary>
/// <c>/ws</c>: a WebSocket echo. The first message names the replica; every message after that is
/// the client's own, sent back as it came, until the client closes.
/// </summary>
public static class WebSocketEndpoints
{
    /// <summary>The largest message echoed; a longer one closes the session with <see cref="WebSocketCloseStatus.MessageTooBig"/>.</summary>
    public const int MaxMessageBytes = 64 * 1024;

    /// <summary>The first message's shape: <c>{"replica":"backend-2"}</c>.</summary>
    public sealed record Greeting(string Replica);

    /// <summary>Maps <c>/ws</c>.</summary>
    public static IEndpointConventionBuilder MapWebSocketEcho(this IEndpointRouteBuilder endpoints) =>
        endpoints.Map("/ws", async (HttpContext context, ReplicaIdentity identity) =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                return Results.Problem(detail: "/ws takes WebSocket requests only.", statusCode: StatusCodes.Status400BadRequest);
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await EchoAsync(socket, identity.Name, context.RequestAborted);
            return Results.Empty;
        });

    private static async Task EchoAsync(WebSocket socket, string replica, CancellationToken aborted)
    {
        var greeting = JsonSerializer.SerializeToUtf8Bytes(new Greeting(replica), JsonSerializerOptions.Web);
        await socket.SendAsync(greeting, WebSocketMessageType.Text, endOfMessage: true, aborted);

        var buffer = new byte[MaxMessageBytes];
        while (true)
        {
            var received = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                if (received == buffer.Length)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, $"Messages are at most {MaxMessageBytes} bytes.", aborted);
                    return;
                }

                result = await socket.ReceiveAsync(buffer.AsMemory(received), aborted);
                received += result.Count;
            }
            while (!result.EndOfMessage);

            if (result.MessageType == WebSocketMessageType.Close)
            {
                // Answers the client's close with its own status: a clean close on both sides.
                await socket.CloseOutputAsync(socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, socket.CloseStatusDescription, aborted);
                return;
            }

            await socket.SendAsync(buffer.AsMemory(0, received), result.MessageType, endOfMessage: true, aborted);
        }
    }
}
