using System.Runtime.CompilerServices;
using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.Telemetry;

/// <summary>
/// Requests and failures per destination since the proxy started, for the status API. Keyed on
/// YARP's <see cref="DestinationState"/> so a destination removed by a reload takes its counters
/// with it.
/// </summary>
internal sealed class DestinationCounters
{
    private readonly ConditionalWeakTable<DestinationState, DestinationCounter> _counters = [];

    public DestinationCounter For(DestinationState destination) =>
        _counters.GetValue(destination, static destination => new DestinationCounter(destination.DestinationId));
}

/// <summary>
/// One destination's counters, its configured name (computed once), and what the logs last said of it.
/// </summary>
internal sealed class DestinationCounter(string destinationId)
{
    private const int AvailabilityUnknown = -1;

    private long _requests;
    private long _failures;
    private int _available = AvailabilityUnknown;
    private string? _probeFailure;
    private int _failedProbes;

    /// <summary>The name used for metric tags (see <see cref="DestinationName"/>).</summary>
    public string Name { get; } = DestinationName.Of(destinationId);

    public long Requests => Volatile.Read(ref _requests);

    public long Failures => Volatile.Read(ref _failures);

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
        return Interlocked.Exchange(ref _probeFailure, reason);
    }

    /// <summary>Records a probe that passed; returns how many failed in a row before it.</summary>
    public int ProbePassed()
    {
        Volatile.Write(ref _probeFailure, null);
        return Interlocked.Exchange(ref _failedProbes, 0);
    }

    public void Completed(bool failed)
    {
        Interlocked.Increment(ref _requests);
        if (failed)
        {
            Interlocked.Increment(ref _failures);
        }
    }
}
