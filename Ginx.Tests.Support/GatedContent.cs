namespace Ginx.Tests.Support;

/// <summary>
/// A request body that sends its first half, then waits for <paramref name="gate"/> before sending
/// the rest: a client still uploading while the test looks at what has arrived so far. Without a
/// declared length it goes chunked.
/// </summary>
internal sealed class GatedContent(byte[] body, TaskCompletionSource firstHalfSent, Task gate, bool declareLength = true) : HttpContent
{
    /// <summary>The whole body at once, chunked: a client that does not say how long its body is.</summary>
    public static GatedContent Chunked(byte[] body) => new(body, new TaskCompletionSource(), Task.CompletedTask, declareLength: false);

    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
    {
        var half = body.Length / 2;
        await stream.WriteAsync(body.AsMemory(0, half));
        await stream.FlushAsync();
        firstHalfSent.TrySetResult();
        await gate;
        await stream.WriteAsync(body.AsMemory(half));
    }

    protected override bool TryComputeLength(out long length)
    {
        length = body.Length;
        return declareLength;
    }
}
