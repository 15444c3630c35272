using System.Buffers;

namespace Ginx.Proxy.Retries;

/// <summary>
/// A request body that can be sent again. Reads pass straight through from the client, so the
/// first attempt streams exactly as it would without retries (nginx's
/// <c>proxy_request_buffering off</c>), while a copy of what has been read is kept in a pooled
/// buffer. Rewinding to the start replays the copy, then reads on from the client where the
/// earlier attempt stopped. A body that outgrows <c>limit</c> stops being copied and can no longer
/// be replayed (Envoy's per-request retry buffer).
/// </summary>
/// <remarks>
/// The owner disposes it once the forwarder has finished with the body, which returns the buffer.
/// YARP awaits its request-body copy before a forwarding attempt ends, so nothing reads it after.
/// </remarks>
internal sealed class ReplayableRequestBody : Stream
{
    // Bodies of unknown length start with this much room, then double up to the limit.
    private const int InitialChunkedCapacity = 4096;

    private readonly Stream _client;
    private readonly int _limit;
    private readonly long? _declaredLength;
    private byte[]? _copy;
    private int _copied;
    private int _position;
    private bool _overflowed;

    /// <param name="client">The body as the server reads it from the client.</param>
    /// <param name="declaredLength">The request's Content-Length, if it has one.</param>
    /// <param name="limit">The most bytes kept for replay.</param>
    public ReplayableRequestBody(Stream client, long? declaredLength, int limit)
    {
        _client = client;
        _declaredLength = declaredLength;
        _limit = limit;
        _overflowed = declaredLength > limit;
    }

    /// <summary>The client's own body stream, to put back once the request is done.</summary>
    public Stream Client => _client;

    /// <summary>Everything read so far was kept, so the body can be sent again from the start.</summary>
    public bool CanReplay => !_overflowed;

    public override bool CanRead => true;

    // Forward-only to everyone but its owner, who rewinds it with Rewind: a stream that claimed to
    // seek would also have to know its length, which a chunked body does not.
    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    /// <summary>Starts the body over, for another attempt.</summary>
    /// <exception cref="InvalidOperationException">The body outgrew the limit, so it cannot be replayed.</exception>
    public void Rewind()
    {
        if (!CanReplay)
        {
            throw new InvalidOperationException($"The body outgrew the {_limit}-byte replay limit and cannot be sent again.");
        }

        _position = 0;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (TryReplay(buffer.Span, out var replayed))
        {
            return ValueTask.FromResult(replayed);
        }

        var reading = _client.ReadAsync(buffer, cancellationToken);
        if (!reading.IsCompletedSuccessfully)
        {
            return KeepOnceReadAsync(reading, buffer);
        }

        var read = reading.Result;
        Keep(buffer.Span[..read]);
        return ValueTask.FromResult(read);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(Span<byte> buffer)
    {
        if (TryReplay(buffer, out var replayed))
        {
            return replayed;
        }

        var read = _client.Read(buffer);
        Keep(buffer[..read]);
        return read;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            ReturnCopy();
        }

        base.Dispose(disposing);
    }

    private async ValueTask<int> KeepOnceReadAsync(ValueTask<int> reading, Memory<byte> buffer)
    {
        var read = await reading.ConfigureAwait(false);
        Keep(buffer.Span[..read]);
        return read;
    }

    // While kept bytes remain, reads are served from the copy; a zero-byte read (YARP's wait for
    // data) completes at once rather than waiting on a client that may have nothing more to send.
    private bool TryReplay(Span<byte> destination, out int replayed)
    {
        if (_overflowed || _position >= _copied)
        {
            replayed = 0;
            return false;
        }

        replayed = Math.Min(destination.Length, _copied - _position);
        _copy.AsSpan(_position, replayed).CopyTo(destination);
        _position += replayed;
        return true;
    }

    private void Keep(ReadOnlySpan<byte> read)
    {
        if (read.IsEmpty || _overflowed)
        {
            return;
        }

        if (_copied + read.Length > _limit)
        {
            // Too big to replay: stop paying for the copy now rather than at the end.
            _overflowed = true;
            ReturnCopy();
            return;
        }

        EnsureRoom(_copied + read.Length);
        read.CopyTo(_copy.AsSpan(_copied));
        _copied += read.Length;
        _position = _copied;
    }

    private void EnsureRoom(int needed)
    {
        if (_copy is not null && _copy.Length >= needed)
        {
            return;
        }

        var capacity = _declaredLength is long declared
            ? (int)declared
            : Math.Min(_limit, Math.Max(needed, Math.Max(InitialChunkedCapacity, (_copy?.Length ?? 0) * 2)));
        var grown = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, needed));
        if (_copy is not null)
        {
            _copy.AsSpan(0, _copied).CopyTo(grown);
            ArrayPool<byte>.Shared.Return(_copy);
        }

        _copy = grown;
    }

    private void ReturnCopy()
    {
        if (_copy is not null)
        {
            ArrayPool<byte>.Shared.Return(_copy);
            _copy = null;
            _copied = 0;
            _position = 0;
        }
    }
}
