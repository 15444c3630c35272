using System.Collections.Concurrent;

namespace Ginx.Tests.Support;

/// <summary>
/// Steady load from several concurrent clients until told to stop; every outcome is kept, so a
/// test can say exactly how many requests failed and how.
/// </summary>
internal sealed class LoadRunner
{
    private readonly ConcurrentBag<string> _failures = [];
    private readonly ConcurrentDictionary<string, int> _servedBy = new();
    private long _requests;

    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Each failure: a non-2xx status with its body, or an exception.</summary>
    public IReadOnlyCollection<string> Failures => _failures;

    /// <summary>Requests served, by the replica that served them.</summary>
    public IReadOnlyDictionary<string, int> ServedBy => _servedBy;

    /// <summary>Sends GETs from <paramref name="clients"/> concurrent loops until <paramref name="stop"/> fires.</summary>
    public Task RunAsync(HttpClient client, int clients, string path, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(() => LoopAsync(client, path, stop), CancellationToken.None)));

    private async Task LoopAsync(HttpClient client, string path, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var response = await client.GetAsync(path, CancellationToken.None);
                Interlocked.Increment(ref _requests);
                if (!response.IsSuccessStatusCode)
                {
                    _failures.Add($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(CancellationToken.None)}");
                }
                else if (response.Headers.TryGetValues("X-Replica", out var replicas))
                {
                    _servedBy.AddOrUpdate(replicas.First(), 1, (_, count) => count + 1);
                }
            }
            catch (HttpRequestException exception)
            {
                Interlocked.Increment(ref _requests);
                _failures.Add(exception.Message);
            }
        }
    }
}
