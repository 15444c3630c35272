using System.Runtime.CompilerServices;
using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.Telemetry;

/// <summary>
/// Requests and failures per destination since the proxy started, for the status API. Keyed on
/// YARP's <see cref="DestinationState"/> so a destination removed by a reload takes its counters
/// with it.
/// </summary>
internal sealed class DestinationCounters(TimeProvider time)
{
    private readonly ConditionalWeakTable<DestinationState, DestinationCounter> _counters = [];

    // Made once: a lambda that captures the clock would be a new delegate on every call, and this
    // runs on every proxied request.
    private readonly ConditionalWeakTable<DestinationState, DestinationCounter>.CreateValueCallback _create =
        destination => new DestinationCounter(destination.DestinationId, time);

    public DestinationCounter For(DestinationState destination) => _counters.GetValue(destination, _create);
}

/// <summary>
/// One destination's counters, its configured name (computed once), its recent requests, and what
/// the logs last said of it.
/// </summary>
internal sealed class DestinationCounter(string destinationId, TimeProvider time)
{
    private const int AvailabilityUnknown = -1;

    // A failing destination fails many requests a second; describing each would be garbage per request.
    private static readonly TimeSpan ErrorNoteInterval = TimeSpan.FromSeconds(1);

    private long _requests;
    private long _failures;
    private long _retries;
    private long _ejections;
    private Ejection? _lastEjection;
    private LastError? _lastError;
    private int _available = AvailabilityUnknown;
    private string? _probeFailure;
    private int _failedProbes;

    /// <summary>The name used for metric tags (see <see cref="DestinationName"/>).</summary>
    public string Name { get; } = DestinationName.Of(destinationId);

    public long Requests => Volatile.Read(ref _requests);

    public long Failures => Volatile.Read(ref _failures);

    /// <summary>Attempts that failed here and were sent to another destination.</summary>
    public long Retries => Volatile.Read(ref _retries);

    /// <summary>Times passive health took the destination out of balancing.</summary>
    public long Ejections => Volatile.Read(ref _ejections);

    /// <summary>The last ejection, if any: why, and until when.</summary>
    public Ejection? LastEjection => Volatile.Read(ref _lastEjection);

    /// <summary>The last failure seen here, in one line: of a request, an attempt retried elsewhere, or a probe.</summary>
    public LastError? LastError => Volatile.Read(ref _lastError);

    /// <summary>Requests per second and their latency at the proxy, recently.</summary>
    public DestinationWindow Window { get; } = new();

    /// <summary>
    /// Records whether the destination is available; true when that differs from what was last
    /// recorded. The first record is not a change: a destination is born available or not.
    /// </summary>
    public bool AvailabilityChanged(bool available)
    {
        var now = available ? 1 : 0;
        var before = Interlocked.Exchange(ref _available, now);
        return before != AvailabilityUnknown && before != now;
    }

    /// <summary>Why the last active health probe failed; null when it passed, or before any failed.</summary>
    public string? ProbeFailure => Volatile.Read(ref _probeFailure);

    /// <summary>Records a failed probe; returns the reason the probe before it failed for, if it did.</summary>
    public string? ProbeFailed(string reason)
    {
        Interlocked.Increment(ref _failedProbes);
        Volatile.Write(ref _lastError, new LastError($"probe: {reason}", time.GetUtcNow()));
        return Interlocked.Exchange(ref _probeFailure, reason);
    }

    /// <summary>Records a probe that passed; returns how many failed in a row before it.</summary>
    public int ProbePassed()
    {
        Volatile.Write(ref _probeFailure, null);
        return Interlocked.Exchange(ref _failedProbes, 0);
    }

    /// <summary>Counts a request this destination answered last, which ended at <paramref name="timestamp"/> (of the counters' clock).</summary>
    public void Completed(bool failed, long timestamp, TimeSpan duration)
    {
        Interlocked.Increment(ref _requests);
        if (failed)
        {
            Interlocked.Increment(ref _failures);
        }

        Window.Record(DestinationWindow.SecondOf(time, timestamp), duration);
    }

    /// <summary>Counts an attempt that failed here and is tried on another destination.</summary>
    public void RetriedAway(string reason)
    {
        Interlocked.Increment(ref _retries);
        NoteError(reason, static reason => $"{reason}; retried on another destination");
    }

    /// <summary>Counts an ejection by passive health.</summary>
    public void Ejected(string reason, DateTimeOffset until)
    {
        Interlocked.Increment(ref _ejections);
        Volatile.Write(ref _lastEjection, new Ejection(reason, until));
    }

    /// <summary>
    /// Notes why a request failed here, described by <paramref name="describe"/>: at most once per
    /// <see cref="ErrorNoteInterval"/>, so a destination failing every request allocates no more.
    /// </summary>
    public void NoteError<TState>(TState state, Func<TState, string> describe)
    {
        var now = time.GetUtcNow();
        var last = Volatile.Read(ref _lastError);
        if (last is not null && now - last.At < ErrorNoteInterval)
        {
            return;
        }

        Interlocked.CompareExchange(ref _lastError, new LastError(describe(state), now), last);
    }
}

/// <summary>A passive health ejection: why (<c>max_fails</c>, <c>consecutive_5xx</c>, …) and until when.</summary>
internal sealed record Ejection(string Reason, DateTimeOffset Until);

/// <summary>A destination's last failure, in one line, and when it was seen.</summary>
internal sealed record LastError(string Text, DateTimeOffset At);
