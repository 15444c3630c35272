using System.Runtime.CompilerServices;
using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.Upstream;

/// <summary>
/// What Ginx learns about one destination while it serves: requests in flight (reserved
/// by the load-balancing middleware, so <see cref="DestinationMetadata.MaxConns"/> holds), its
/// peak-EWMA latency, when it last became available again (for
/// <see cref="DestinationMetadata.SlowStart"/>), and whether its last connection was refused. Keyed on the <see cref="DestinationState"/>, which
/// YARP keeps across reloads for as long as the destination stays configured.
/// </summary>
internal sealed class DestinationRuntime
{
    /// <summary>How fast a latency sample is forgotten: Finagle's EWMA time constant, shortened so a replica that recovers wins its share back within seconds.</summary>
    public static readonly TimeSpan LatencyDecay = TimeSpan.FromSeconds(5);

    /// <summary>The share of its weight a destination starts its slow start with, as Envoy's <c>min_weight_percent</c>.</summary>
    public const double SlowStartFloor = 0.1;

    private const int NeverSeen = 0;
    private const int Available = 1;
    private const int Unavailable = 2;

    private static readonly ConditionalWeakTable<DestinationState, DestinationRuntime> Table = new();

    private int _inFlight;
    private double _latencyMs;
    private long _latencyStamp;
    private int _availability;
    private long _availableSince;
    private int _refusing;
    private int _trialInFlight;
    private long _lastTrial;

    public static DestinationRuntime Of(DestinationState destination) =>
        Table.GetValue(destination, static _ => new DestinationRuntime());

    /// <summary>Whether any request's latency has been recorded yet.</summary>
    public bool HasLatency => Volatile.Read(ref _latencyStamp) != 0;

    /// <summary>Requests in flight through Ginx's middleware.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Whether another request may go to the destination under its <paramref name="settings"/>' MaxConns.</summary>
    public bool HasRoom(DestinationSettings settings) => InFlight < settings.MaxConns;

    /// <summary>
    /// Counts a request in unless <paramref name="maxConns"/> are already in flight. A compare-exchange,
    /// so two requests racing for the last slot cannot both win it.
    /// </summary>
    public bool TryReserve(int maxConns)
    {
        var current = Volatile.Read(ref _inFlight);
        while (current < maxConns)
        {
            var seen = Interlocked.CompareExchange(ref _inFlight, current + 1, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    public void Release() => Interlocked.Decrement(ref _inFlight);

    /// <summary>
    /// Folds one request's latency into the peak EWMA: a slower sample replaces the average at once (the
    /// peak), a faster one blends in by how long ago the last sample was. Lock-free: a compare-exchange
    /// on the value; two samples racing for the stamp can only misweigh one blend slightly.
    /// </summary>
    public void RecordLatency(TimeSpan latency, long timestamp, TimeProvider time)
    {
        var sample = latency.TotalMilliseconds;
        var previousStamp = Interlocked.Exchange(ref _latencyStamp, timestamp);
        var keep = previousStamp == 0 ? 0 : DecayFactor(time.GetElapsedTime(previousStamp, timestamp));
        var current = Volatile.Read(ref _latencyMs);
        while (true)
        {
            var next = sample > current ? sample : (current * keep) + (sample * (1 - keep));
            var seen = Interlocked.CompareExchange(ref _latencyMs, next, current);
            if (seen.Equals(current))
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>
    /// The peak-EWMA latency in milliseconds at <paramref name="timestamp"/>: it decays while no sample
    /// arrives, so a destination that was slow and stopped being picked is tried again.
    /// </summary>
    public double LatencyMs(long timestamp, TimeProvider time)
    {
        var stamp = Volatile.Read(ref _latencyStamp);
        var latency = Volatile.Read(ref _latencyMs);
        return stamp == 0 || timestamp <= stamp ? latency : latency * DecayFactor(time.GetElapsedTime(stamp, timestamp));
    }

    /// <summary>
    /// The peak-EWMA latency in milliseconds as the last sample left it, and that sample's
    /// <paramref name="timestamp"/> (0 before the first): <see cref="LatencyMs"/> without the decay
    /// since, for comparing destinations with <see cref="DecayBetween"/> instead of reading the clock.
    /// </summary>
    public double RecordedLatencyMs(out long timestamp)
    {
        timestamp = Volatile.Read(ref _latencyStamp);
        return Volatile.Read(ref _latencyMs);
    }

    /// <summary>
    /// How much a latency recorded at <paramref name="earlier"/> has decayed by <paramref name="later"/>:
    /// two latencies decayed to the same moment compare as one of them scaled by this, whatever that moment.
    /// </summary>
    public static double DecayBetween(long earlier, long later, TimeProvider time) => DecayFactor(time.GetElapsedTime(earlier, later));

    /// <summary>The weight to balance with at <paramref name="timestamp"/>: the configured weight, ramped during slow start.</summary>
    public double EffectiveWeight(DestinationSettings settings, long timestamp, TimeProvider time)
    {
        var since = Volatile.Read(ref _availableSince);
        if (since == 0 || settings.SlowStart <= TimeSpan.Zero)
        {
            return settings.Weight;
        }

        var ramp = time.GetElapsedTime(since, timestamp) / settings.SlowStart;
        return ramp >= 1 ? settings.Weight : settings.Weight * Math.Max(SlowStartFloor, ramp);
    }

    /// <summary>
    /// Told by the available-destinations policy, which YARP runs whenever health or destinations
    /// change: a destination that comes back after being unavailable starts its slow start now. One
    /// available from the start does not: it has no traffic to protect from a cold cache.
    /// </summary>
    public void MarkAvailability(bool available, long timestamp)
    {
        if (!available)
        {
            Volatile.Write(ref _availability, Unavailable);
            return;
        }

        if (Volatile.Read(ref _availability) == Unavailable)
        {
            Volatile.Write(ref _availableSince, timestamp);
        }

        Volatile.Write(ref _availability, Available);
    }

    /// <summary>
    /// How often a destination whose last connection was refused is tried again while every
    /// candidate of a request refuses: often enough that one coming back serves within a second,
    /// rarely enough that a dead cluster costs a few connection attempts a second, not one per request.
    /// </summary>
    public static readonly TimeSpan RefusingTrialInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>Whether the last attempt's connection to the destination was refused (or could not be made at all).</summary>
    public bool IsRefusing => Volatile.Read(ref _refusing) != 0;

    /// <summary>
    /// Notes how an attempt ended: a connection that could not be made marks the destination refusing,
    /// and counts as its trial at <paramref name="timestamp"/>; an answer, even a 5xx, clears the mark.
    /// Other failures say nothing about connecting and leave it as it was.
    /// </summary>
    public void RecordAttempt(AttemptResult result, long timestamp)
    {
        if (result.NeverReachedDestination)
        {
            if (Interlocked.Exchange(ref _refusing, 1) == 0)
            {
                Volatile.Write(ref _lastTrial, timestamp);
            }
        }
        else if (result.Verdict is AttemptVerdict.Answered or AttemptVerdict.ServerError && Volatile.Read(ref _refusing) != 0)
        {
            Volatile.Write(ref _refusing, 0);
        }
    }

    /// <summary>
    /// Lets one request try a refusing destination again: none other is trying it, and the last try
    /// was at least <see cref="RefusingTrialInterval"/> ago. End it with <see cref="EndTrial"/>.
    /// </summary>
    public bool TryStartTrial(long timestamp, TimeProvider time)
    {
        if (time.GetElapsedTime(Volatile.Read(ref _lastTrial), timestamp) < RefusingTrialInterval
            || Interlocked.CompareExchange(ref _trialInFlight, 1, 0) != 0)
        {
            return false;
        }

        // Another request may have tried and finished between the check and the exchange.
        if (time.GetElapsedTime(Volatile.Read(ref _lastTrial), timestamp) < RefusingTrialInterval)
        {
            Volatile.Write(ref _trialInFlight, 0);
            return false;
        }

        Volatile.Write(ref _lastTrial, timestamp);
        return true;
    }

    public void EndTrial() => Volatile.Write(ref _trialInFlight, 0);

    private static double DecayFactor(TimeSpan elapsed) => Math.Exp(-elapsed / LatencyDecay);
}
