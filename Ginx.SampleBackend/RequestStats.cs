namespace Ginx.SampleBackend;

/// <summary>
/// What the replica has served, so a test can see from the outside what the balancer sent where:
/// how many requests, how many at once, and the most it ever held at once.
/// </summary>
public sealed class RequestStats
{
    private long _served;
    private long _inFlight;
    private long _maxInFlight;
    private long _injectedErrors;
    private long _aborted;

    /// <summary>Counts a request in; dispose the result when it is answered.</summary>
    public InFlightRequest Begin()
    {
        var now = Interlocked.Increment(ref _inFlight);
        var max = Volatile.Read(ref _maxInFlight);
        while (now > max)
        {
            var seen = Interlocked.CompareExchange(ref _maxInFlight, now, max);
            if (seen == max)
            {
                break;
            }

            max = seen;
        }

        return new InFlightRequest(this);
    }

    /// <summary>Counts an error that chaos injected.</summary>
    public void InjectedError() => Interlocked.Increment(ref _injectedErrors);

    /// <summary>Counts a connection that chaos reset.</summary>
    public void Aborted() => Interlocked.Increment(ref _aborted);

    /// <summary>Starts counting afresh; requests in flight stay counted.</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _served, 0);
        Interlocked.Exchange(ref _injectedErrors, 0);
        Interlocked.Exchange(ref _aborted, 0);
        Interlocked.Exchange(ref _maxInFlight, Volatile.Read(ref _inFlight));
    }

    /// <summary>A consistent-enough copy for the <c>/stats</c> endpoint.</summary>
    public RequestStatsSnapshot Snapshot(string replica) => new(
        replica,
        Volatile.Read(ref _served),
        Volatile.Read(ref _inFlight),
        Volatile.Read(ref _maxInFlight),
        Volatile.Read(ref _injectedErrors),
        Volatile.Read(ref _aborted));

    private void End()
    {
        Interlocked.Decrement(ref _inFlight);
        Interlocked.Increment(ref _served);
    }

    /// <summary>One request being served.</summary>
    public readonly struct InFlightRequest(RequestStats stats) : IDisposable
    {
        /// <inheritdoc />
        public void Dispose() => stats.End();
    }
}

/// <summary>What <c>GET /stats</c> returns.</summary>
public sealed record RequestStatsSnapshot(
    string Replica,
    long Served,
    long InFlight,
    long MaxInFlight,
    long InjectedErrors,
    long Aborted);
