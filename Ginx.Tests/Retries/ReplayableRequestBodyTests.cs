using Ginx.Proxy.Retries;

namespace Ginx.Tests.Retries;

public sealed class ReplayableRequestBodyTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static byte[] Bytes(int count) => Enumerable.Range(0, count).Select(i => (byte)i).ToArray();

    private static async Task<byte[]> ReadToEndAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Cancellation);
        return copy.ToArray();
    }

    [Fact]
    public async Task Rewound_AfterAPartialRead_ReplaysWhatWasReadThenReadsOnFromTheClient()
    {
        var sent = Bytes(10_000);
        using var body = new ReplayableRequestBody(new MemoryStream(sent), sent.Length, limit: 64 * 1024);
        var firstAttempt = new byte[3_000];
        await body.ReadExactlyAsync(firstAttempt, Cancellation);

        body.Rewind();

        Assert.Equal(sent, await ReadToEndAsync(body));
        Assert.Equal(sent[..3_000], firstAttempt);
    }

    [Fact]
    public async Task ReadTwiceWhole_GivesTheSameBytes_ForABodyOfUnknownLength()
    {
        var sent = Bytes(50_000);
        using var body = new ReplayableRequestBody(new MemoryStream(sent), declaredLength: null, limit: 64 * 1024);

        var first = await ReadToEndAsync(body);
        body.Rewind();
        var second = await ReadToEndAsync(body);

        Assert.Equal(sent, first);
        Assert.Equal(sent, second);
        Assert.True(body.CanReplay);
    }

    [Fact]
    public async Task ABodyThatOutgrowsTheLimit_StillPassesThroughWhole_ButCannotBeReplayed()
    {
        var sent = Bytes(5_000);
        using var body = new ReplayableRequestBody(new MemoryStream(sent), declaredLength: null, limit: 4_096);

        Assert.Equal(sent, await ReadToEndAsync(body));
        Assert.False(body.CanReplay);
        Assert.Throws<InvalidOperationException>(body.Rewind);
    }

    [Fact]
    public void ABodyDeclaredLargerThanTheLimit_CannotBeReplayedFromTheStart()
    {
        using var body = new ReplayableRequestBody(new MemoryStream(Bytes(10)), declaredLength: 10_000, limit: 4_096);

        Assert.False(body.CanReplay);
    }

    [Fact]
    public async Task AZeroByteRead_WhileReplaying_DoesNotWaitForTheClient()
    {
        var client = new SilentAfterFirstRead(Bytes(100));
        using var body = new ReplayableRequestBody(client, declaredLength: 200, limit: 4_096);
        await body.ReadExactlyAsync(new byte[100], Cancellation);
        body.Rewind();

        var zeroByteRead = body.ReadAsync(Memory<byte>.Empty, Cancellation);

        Assert.True(zeroByteRead.IsCompletedSuccessfully);
        Assert.Equal(1, client.Reads);
    }

    /// <summary>A client that sent part of its body and has not sent the rest yet.</summary>
    private sealed class SilentAfterFirstRead(byte[] first) : Stream
    {
        public int Reads { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Reads++;
            if (Reads > 1)
            {
                return new ValueTask<int>(new TaskCompletionSource<int>().Task);
            }

            first.CopyTo(buffer);
            return ValueTask.FromResult(first.Length);
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
