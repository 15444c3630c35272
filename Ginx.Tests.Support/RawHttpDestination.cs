using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ginx.Tests.Support;

/// <summary>
/// A destination on a plain socket, for what Kestrel would do on its own behalf (Kestrel answers
/// <c>Expect: 100-continue</c> itself): reads each request's head and its Content-Length body,
/// never sends a 100, records what it got, answers 200 and closes the connection.
/// </summary>
internal sealed class RawHttpDestination : IDisposable
{
    private static readonly byte[] Ok = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<RawRequest> _requests = new();

    private RawHttpDestination(TcpListener listener) => _listener = listener;

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    /// <summary>Every request received in full, in order.</summary>
    public IReadOnlyCollection<RawRequest> Requests => _requests;

    /// <summary>Listens on <paramref name="port"/>, or on a free one.</summary>
    public static RawHttpDestination Start(int port = 0)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        var destination = new RawHttpDestination(listener);
        _ = destination.ServeAsync();
        return destination;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = AnswerAsync(client);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task AnswerAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var buffer = new byte[64 * 1024];
            var received = new List<byte>();
            int headEnd;
            while ((headEnd = HeadEnd(received)) < 0)
            {
                var read = await stream.ReadAsync(buffer);
                if (read == 0)
                {
                    return;
                }

                received.AddRange(buffer.AsSpan(0, read));
            }

            var head = Encoding.ASCII.GetString(received.ToArray(), 0, headEnd);
            var length = ContentLength(head);
            var body = received.Count - (headEnd + 4);
            while (body < length)
            {
                var read = await stream.ReadAsync(buffer);
                if (read == 0)
                {
                    return;
                }

                body += read;
            }

            _requests.Enqueue(new RawRequest(head, body));
            await stream.WriteAsync(Ok);
        }
    }

    private static int HeadEnd(List<byte> received)
    {
        for (var i = 0; i + 3 < received.Count; i++)
        {
            if (received[i] == '\r' && received[i + 1] == '\n' && received[i + 2] == '\r' && received[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }

    private static int ContentLength(string head)
    {
        foreach (var line in head.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                return int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}

/// <summary>A request as <see cref="RawHttpDestination"/> received it: its head, and how many body bytes followed.</summary>
internal sealed record RawRequest(string Head, int BodyBytes)
{
    public bool HasHeader(string name) =>
        Head.Split("\r\n").Skip(1).Any(line => line.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase));
}
