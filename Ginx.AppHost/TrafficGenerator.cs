using Microsoft.Extensions.Logging;

namespace Ginx.AppHost;

/// <summary>
/// Sends <see cref="TrafficWorkload"/> through the proxy at a steady rate until stopped, with a round
/// of <see cref="StreamingWorkload"/> every few seconds, or a burst of requests at once. A plain
/// client: whatever the proxy answers is what the dashboard shows.
/// </summary>
internal sealed partial class TrafficGenerator(TrafficOptions options, TimeProvider time, ILogger<TrafficGenerator> logger) : IAsyncDisposable
{
    // A stalled proxy must not make requests pile up: past this many in flight, ticks are skipped.
    private const int MaxInFlight = 64;
    private const int BurstConcurrency = 32;
    private static readonly TimeSpan StreamingRoundEvery = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _inFlight = new(MaxInFlight, MaxInFlight);
    private readonly Lock _lock = new();
    private HttpClient? _client;
    private CancellationTokenSource? _running;
    private StreamingWorkload? _streaming;
    private Task _loop = Task.CompletedTask;
    private long _sequence;
    private long _completed;

    public bool IsRunning
    {
        get
        {
            lock (_lock)
            {
                return _running is not null;
            }
        }
    }

    /// <summary>
    /// Exchanges through the proxy's HTTP/1.1 listener that have ended, answered or not: requests,
    /// WebSocket sessions and event subscriptions. gRPC calls, through the HTTP/2 one, are not among them.
    /// </summary>
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>Starts sending to <paramref name="proxy"/>, gRPC to <paramref name="grpc"/>; does nothing if already running.</summary>
    public void Start(Uri proxy, Uri grpc)
    {
        lock (_lock)
        {
            if (_running is not null)
            {
                return;
            }

            _client ??= new HttpClient { BaseAddress = proxy, Timeout = TimeSpan.FromSeconds(30) };
            _streaming ??= new StreamingWorkload(_client, grpc);
            _running = new CancellationTokenSource();
            _loop = Task.WhenAll(RunAsync(_client, _running.Token), RunStreamingAsync(_streaming, _running.Token));
        }

        LogStarted(logger, options.RatePerSecond, proxy);
    }

    /// <summary>Stops sending and waits for the requests in flight, so none arrives after it returns.</summary>
    public async Task StopAsync()
    {
        CancellationTokenSource? running;
        Task loop;
        lock (_lock)
        {
            (running, _running) = (_running, null);
            loop = _loop;
        }

        if (running is null)
        {
            return;
        }

        await running.CancelAsync();
        await loop;
        running.Dispose();
        for (var i = 0; i < MaxInFlight; i++)
        {
            await _inFlight.WaitAsync();
        }

        _inFlight.Release(MaxInFlight);
        LogStopped(logger);
    }

    /// <summary>Sends <paramref name="count"/> requests as fast as the proxy takes them; returns how many failed.</summary>
    public async Task<int> BurstAsync(Uri proxy, int count, CancellationToken cancellationToken)
    {
        HttpClient client;
        lock (_lock)
        {
            client = _client ??= new HttpClient { BaseAddress = proxy, Timeout = TimeSpan.FromSeconds(30) };
        }

        var failures = 0;
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = BurstConcurrency, CancellationToken = cancellationToken },
            async (_, token) =>
            {
                if (!await SendAsync(client, token))
                {
                    Interlocked.Increment(ref failures);
                }
            });

        LogBurst(logger, count, failures);
        return failures;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _streaming?.Dispose();
        _client?.Dispose();
        _inFlight.Dispose();
    }

    private async Task RunAsync(HttpClient client, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1 / options.RatePerSecond), time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (_inFlight.Wait(0, CancellationToken.None))
                {
                    _ = SendAndReleaseAsync(client);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    // A round runs to its end once begun, so every exchange it counts reached the proxy.
    private async Task RunStreamingAsync(StreamingWorkload streaming, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await streaming.RunRoundAsync();
            Interlocked.Add(ref _completed, StreamingWorkload.Http1ExchangesPerRound);
            try
            {
                await Task.Delay(StreamingRoundEvery, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task SendAndReleaseAsync(HttpClient client)
    {
        try
        {
            await SendAsync(client, CancellationToken.None);
        }
        finally
        {
            _inFlight.Release();
        }
    }

    // Failures are part of the show (a replica was killed, chaos is on); they are not the generator's to report.
    private async Task<bool> SendAsync(HttpClient client, CancellationToken cancellationToken)
    {
        using var request = TrafficWorkload.Request(Interlocked.Increment(ref _sequence));
        try
        {
            using var response = await client.SendAsync(request, cancellationToken);
            await response.Content.CopyToAsync(Stream.Null, cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or IOException)
        {
            return false;
        }
        finally
        {
            Interlocked.Increment(ref _completed);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Traffic started: about {Rate} requests/s to {Proxy}")]
    private static partial void LogStarted(ILogger logger, double rate, Uri proxy);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Traffic stopped")]
    private static partial void LogStopped(ILogger logger);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Burst of {Count} requests sent, {Failures} failed")]
    private static partial void LogBurst(ILogger logger, int count, int failures);
}
