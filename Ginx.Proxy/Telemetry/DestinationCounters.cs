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

/// <summary>One destination's counters, and its configured name, computed once.</summary>
internal sealed class DestinationCounter(string destinationId)
{
    private const int AvailabilityUnknown = -1;

    private long _requests;
    private long _failures;
    private int _available = AvailabilityUnknown;

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

    public void Completed(bool failed)
    {
        Interlocked.Increment(ref _requests);
        if (failed)
        {
            Interlocked.Increment(ref _failures);
        }
    }
}
