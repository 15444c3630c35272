namespace Ginx.Proxy.Health;

/// <summary>
/// What passive health remembers about one destination. Successes touch only counters; the lock
/// is taken on failures, which are rare while things go well and cheap next to a failed request.
/// </summary>
internal sealed class DestinationFailureTracker
{
    private readonly Lock _lock = new();
    private long _failWindowStart;
    private int _failsInWindow;
    private int _consecutive5xx;
    private int _ejections;
    private long _lastEjection;
    private TimeSpan _lastEjectionLength;

    private long _intervalRequests;
    private long _intervalSuccesses;
    private int _ejecting;

    /// <summary>Counts an answer that was not a failure.</summary>
    public void Succeeded()
    {
        Interlocked.Increment(ref _intervalRequests);
        Interlocked.Increment(ref _intervalSuccesses);
        if (Volatile.Read(ref _consecutive5xx) != 0)
        {
            Volatile.Write(ref _consecutive5xx, 0);
        }
    }

    /// <summary>
    /// Counts a failure and says which detector, if any, it trips: nginx's (<paramref name="maxFails"/>
    /// within <paramref name="failTimeout"/>) first, then consecutive 5xx.
    /// </summary>
    public EjectionReason Failed(long now, bool countsForMaxFails, PassiveHealthOptions options, TimeProvider time)
    {
        Interlocked.Increment(ref _intervalRequests);
        lock (_lock)
        {
            if (countsForMaxFails && options.MaxFails > 0)
            {
                if (_failsInWindow == 0 || time.GetElapsedTime(_failWindowStart, now) > options.FailTimeout)
                {
                    _failWindowStart = now;
                    _failsInWindow = 0;
                }

                if (++_failsInWindow >= options.MaxFails)
                {
                    _failsInWindow = 0;
                    Interlocked.Exchange(ref _consecutive5xx, 0);
                    return EjectionReason.MaxFails;
                }
            }

            // Atomic although under the lock: a success resets it without taking the lock, and must not be lost.
            if (options.Consecutive5xx > 0 && Interlocked.Increment(ref _consecutive5xx) >= options.Consecutive5xx)
            {
                Interlocked.Exchange(ref _consecutive5xx, 0);
                return EjectionReason.Consecutive5xx;
            }
        }

        return EjectionReason.None;
    }

    /// <summary>
    /// How long the next outlier ejection lasts: one more <c>BaseEjectionTime</c> per recent
    /// ejection, where each base period served since the last ejection ended forgives one.
    /// </summary>
    public TimeSpan NextEjectionTime(long now, PassiveHealthOptions options, TimeProvider time)
    {
        lock (_lock)
        {
            if (_ejections > 0)
            {
                var served = time.GetElapsedTime(_lastEjection, now) - _lastEjectionLength;
                if (served > TimeSpan.Zero)
                {
                    _ejections -= (int)Math.Min(_ejections, served / options.BaseEjectionTime);
                }
            }

            _ejections++;
            _lastEjection = now;
            var length = options.BaseEjectionTime * _ejections;
            _lastEjectionLength = length < options.MaxEjectionTime ? length : options.MaxEjectionTime;
            return _lastEjectionLength;
        }
    }

    /// <summary>Claims the ejection of this destination: false while another request is ejecting it.</summary>
    public bool TryBeginEjection() => Interlocked.CompareExchange(ref _ejecting, 1, 0) == 0;

    /// <summary>Ends what <see cref="TryBeginEjection"/> claimed.</summary>
    public void EndEjection() => Volatile.Write(ref _ejecting, 0);

    /// <summary>Takes this interval's counts and starts the next interval.</summary>
    public (long Requests, long Successes) TakeInterval() =>
        (Interlocked.Exchange(ref _intervalRequests, 0), Interlocked.Exchange(ref _intervalSuccesses, 0));
}

/// <summary>Why a destination was taken out.</summary>
internal enum EjectionReason
{
    /// <summary>Not taken out.</summary>
    None,

    /// <summary>nginx: <c>max_fails</c> failures within <c>fail_timeout</c>.</summary>
    MaxFails,

    /// <summary>Envoy: consecutive 5xx answers or gateway errors.</summary>
    Consecutive5xx,

    /// <summary>Envoy: a success rate far below the cluster's.</summary>
    SuccessRate,
}

/// <summary>The names ejection reasons go by in metrics and logs.</summary>
internal static class EjectionReasons
{
    public static string Name(EjectionReason reason) => reason switch
    {
        EjectionReason.MaxFails => "max_fails",
        EjectionReason.Consecutive5xx => "consecutive_5xx",
        EjectionReason.SuccessRate => "success_rate",
        _ => "none",
    };
}
