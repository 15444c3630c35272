namespace Ginx.Tests.Support;

/// <summary>Disposes a set of resources together, for <c>await using</c> over an array.</summary>
internal sealed class AsyncDisposables(IEnumerable<IAsyncDisposable> disposables) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        foreach (var disposable in disposables)
        {
            await disposable.DisposeAsync();
        }
    }
}
