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
    /// <summary>
    /// How fast the latency of a destination that gets no answers decays towards 0: Finagle's time
    /// constant, shortened so a replica that was slow is tried again, and wins its share back, within seconds.
    /// </summary>
    public static readonly TimeSpan LatencyDecay = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The share of the gap to a faster sample that one sample closes: the latency settles over the
    /// last ten or so answers, however many arrive per second, so a busy replica's one hiccup is
    /// forgotten within milliseconds instead of seconds.
    /// </summary>
    public const double SettleWeight = 0.1;

    /// <summary>
    /// The share of the gap to a slower sample that one sample closes: a damped peak. A replica that
    /// turns slow pays for it within a few answers, but one late answer of a fast replica does not
    /// make it look as slow as a replica that is slow on every answer.
    /// </summary>
    public const double RiseWeight = 0.25;

    /// <summary>
    /// What a failed attempt (a 5xx, a broken connection, a timeout) counts as, unless it took longer:
    /// slower than any answer, so a replica that fails fast never looks fast.
    /// </summary>
    public static readonly TimeSpan FailureLatency = TimeSpan.FromSeconds(1);

    /// <summary>The share of its weight a destination starts its slow start with, as Envoy's <c>min_weight_percent</c>.</summary>
    public const double SlowStartFloor = 0.1;

    /// <summary>
    /// How long a destination back from a slow spell takes to earn its full share (see
    /// <see cref="ReturnWeight"/>): longer than the period of a replica that stalls every second or
    /// two, as a GC pause does, so its next stall holds a few requests rather than a third of them.
    /// </summary>
    public static readonly TimeSpan ReturnRamp = LatencyDecay;

    /// <summary>
    /// How long a destination must have gone without answers to count as back from a slow spell when
    /// it answers: a replica in rotation under load answers far more often.
    /// </summary>
    public static readonly TimeSpan ReturnAfter = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How many times faster than the estimate it went quiet with an answer must be to count as back
    /// from a slow spell: a replica merely idle answers about as fast as it last did.
    /// </summary>
    public const double ReturnSpeedup = 4;

    private const int NeverSeen = 0;
    private const int Available = 1;
    private const int Unavailable = 2;

    private static readonly ConditionalWeakTable<DestinationState, DestinationRuntime> Table = new();

    // When any destination last came back from a slow spell, in any cluster: a pick reads this one
    // field, which stays in cache, and each destination's own time only during a ramp.
    private static long s_lastReturn;

    private int _inFlight;
    private long _busySince;
    private double _latencyMs;
    private double _measuredLoad;
    private long _latencyStamp;
    private long _claimedAfter = -1;
    private int _availability;
    private long _availableSince;
    private long _returnedAt;
    private int _refusing;
    private int _trialInFlight;
    private long _lastTrial;

    public static DestinationRuntime Of(DestinationState destination) =>
        Table.GetValue(destination, static _ => new DestinationRuntime());

    /// <summary>Whether any request's latency has been recorded yet.</summary>
    public bool HasLatency => Volatile.Read(ref _latencyStamp) != 0;

    /// <summary>
    /// Claims the one request a destination takes while nothing worth acting on is known of it: before
    /// its first answer, or once its estimate of <paramref name="stamp"/> (0: none) is too old to
    /// count. True for one caller only per estimate, however many pick at the same moment, so a
    /// burst of concurrent picks cannot all find it idle; its answer, whatever it is, records a
    /// latency with a new stamp, after which another claim can be made if that one ages too.
    /// </summary>
    public bool TryClaimRequestAfter(long stamp)
    {
        var claimed = Volatile.Read(ref _claimedAfter);
        return claimed != stamp && Interlocked.CompareExchange(ref _claimedAfter, stamp, claimed) == claimed;
    }

    /// <summary>Requests in flight through Ginx's middleware.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Whether another request may go to the destination under its <paramref name="settings"/>' MaxConns.</summary>
    public bool HasRoom(DestinationSettings settings) => InFlight < settings.MaxConns;

    /// <summary>
    /// Counts a request sent at <paramref name="timestamp"/> in unless <paramref name="maxConns"/> are
    /// already in flight. A compare-exchange, so two requests racing for the last slot cannot both win it.
    /// </summary>
    public bool TryReserve(int maxConns, long timestamp)
    {
        var current = Volatile.Read(ref _inFlight);
        while (current < maxConns)
        {
            var seen = Interlocked.CompareExchange(ref _inFlight, current + 1, current);
            if (seen == current)
            {
                if (current == 0)
                {
                    Volatile.Write(ref _busySince, timestamp);
                }

                return true;
            }

            current = seen;
        }

        return false;
    }

    /// <summary>
    /// When the destination last went from no requests in flight to one (0: never). With requests in
    /// flight, the oldest of them was sent no earlier than this or its last answer, whichever is later:
    /// how long it has been silent is counted from there, not from an answer before an idle spell.
    /// </summary>
    public long BusySince => Volatile.Read(ref _busySince);

    public void Release() => Interlocked.Decrement(ref _inFlight);

    /// <summary>
    /// The requests in flight, each attempt's own included, that the latency was measured under: an
    /// average over the same samples, so a latency can be scaled to the load of now.
    /// </summary>
    public double MeasuredLoad => Volatile.Read(ref _measuredLoad);

    /// <summary>
    /// Folds one attempt's latency, and the <paramref name="load"/> (requests in flight when it
    /// started, itself included) it met, into the estimate. The estimate first decays by the time
    /// since the last sample (towards 0, so a destination that stopped being picked is tried again),
    /// then moves towards the sample by a share of the gap: <see cref="RiseWeight"/> up,
    /// <see cref="SettleWeight"/> down, so it follows samples, not seconds; or by the share the decay
    /// took, if that is more. A <paramref name="failed"/>
    /// attempt counts as at least <see cref="FailureLatency"/>. Lock-free: a compare-exchange on the
    /// latency; two samples racing can only misweigh one of them slightly.
    /// </summary>
    public void RecordLatency(TimeSpan latency, int load, bool failed, long timestamp, TimeProvider time)
    {
        var sample = (failed && latency < FailureLatency ? FailureLatency : latency).TotalMilliseconds;
        var previousStamp = Interlocked.Exchange(ref _latencyStamp, timestamp);
        var silence = previousStamp == 0 ? TimeSpan.Zero : time.GetElapsedTime(previousStamp, timestamp);
        var keep = previousStamp == 0 ? 0 : DecayFactor(silence);
        var current = Volatile.Read(ref _latencyMs);
        if (silence >= ReturnAfter && sample * ReturnSpeedup < current)
        {
            Volatile.Write(ref _returnedAt, timestamp);
            Volatile.Write(ref s_lastReturn, timestamp);
        }

        // An estimate counts for no more than its decay has left of it: after long without answers
        // (and for the first), the next answer is mostly taken as it is, not blended with a latency
        // decayed towards 0, which would make a replica just tried again look far faster than it is.
        var forgotten = 1 - keep;
        var measuredLoad = Volatile.Read(ref _measuredLoad);
        Volatile.Write(ref _measuredLoad, measuredLoad + ((load - measuredLoad) * Math.Max(SettleWeight, forgotten)));
        while (true)
        {
            var decayed = current * keep;
            var next = decayed + ((sample - decayed) * Math.Max(sample > decayed ? RiseWeight : SettleWeight, forgotten));
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

        return settings.Weight * RampShare(time.GetElapsedTime(since, timestamp) / settings.SlowStart);
    }

    /// <summary>
    /// The share of its weight a destination may balance with at <paramref name="timestamp"/>: 1,
    /// unless it came back from a slow spell (its last answer, after <see cref="ReturnAfter"/> or
    /// more without any, was <see cref="ReturnSpeedup"/> times faster than it had been priced at)
    /// less than <see cref="ReturnRamp"/> ago; then from <see cref="SlowStartFloor"/> up to 1 over
    /// the ramp, as a slow start. Without it a replica whose estimate has faded enough to win one
    /// pair answers fast, wins the next, and holds its full share within a second: a stalling one
    /// is back in time for its next stall, which holds that share. <paramref name="ramp"/> is
    /// <see cref="ReturnRamp"/> in <paramref name="timestamp"/>'s units, so a pick does not convert.
    /// </summary>
    public double ReturnWeight(long timestamp, long ramp) => RampShare((double)(timestamp - Volatile.Read(ref _returnedAt)) / ramp);

    /// <summary>Whether any destination came back from a slow spell within <paramref name="ramp"/> before <paramref name="timestamp"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AnyReturning(long timestamp, long ramp) => timestamp - Volatile.Read(ref s_lastReturn) < ramp;

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

    /// <summary>The share of its weight a destination has <paramref name="progress"/> of the way through a ramp: from <see cref="SlowStartFloor"/> up to all of it.</summary>
    private static double RampShare(double progress) => progress >= 1 ? 1 : Math.Max(SlowStartFloor, progress);
}
