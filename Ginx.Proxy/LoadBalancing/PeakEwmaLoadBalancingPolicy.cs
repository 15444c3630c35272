using System.Runtime.CompilerServices;
using Ginx.Proxy.Upstream;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Utilities;

namespace Ginx.Proxy.LoadBalancing;

/// <summary>
/// Finagle's and Linkerd's latency-aware balancer, with a cost that stands for the latency the next
/// request can expect: of two distinct random destinations, the one with the lower peak-EWMA latency ×
/// (requests in flight + 1) ÷ the requests in flight it was measured under, ÷ effective weight.
/// Finagle and Linkerd multiply by the requests in flight alone; but a latency measured under load
/// already includes the wait behind them, so that counts a busy fast replica's load twice and makes
/// it dearer than an idle slow one. Scaled instead, a replica costs its latency at its usual load, and
/// each request a pick adds beyond it counts at once, so concurrent picks do not herd onto the
/// cheapest. Below its usual load a replica costs its latency, not less: a latency that does not come
/// from queueing (a replica slow on every answer) does not shrink with the load, and a slow replica
/// that once held a burst of requests must not look fast once idle.
/// A destination not measured yet, or measured so long ago that nothing is left of it, takes one
/// request, claimed atomically across every pick, until its next answer; while that request is out
/// it loses to any measured destination. A destination back from a slow spell earns its share over
/// seconds (<see cref="DestinationRuntime.ReturnWeight"/>), not at its first fast answer.
/// </summary>
internal sealed class PeakEwmaLoadBalancingPolicy : ILoadBalancingPolicy, IWeightSharePolicy, IDisposable
{
    /// <summary>
    /// How old an estimate may be and still count: six time constants of the decay, which leave less
    /// than a quarter of a percent of any latency (of 300 ms, under a millisecond). Older, the
    /// destination is as unknown as one never measured. Without it, a cluster idle for a minute
    /// compares estimates that are all a minute old and within moments of each other: the one that
    /// happened to look fastest then takes every request of the first burst until answers come back.
    /// </summary>
    public static readonly TimeSpan StaleAfter = DestinationRuntime.LatencyDecay * 6;

    /// <summary>How far apart two samples must be for the older one's silence to count, or its decay.</summary>
    private static readonly TimeSpan CloseTogether = TimeSpan.FromMilliseconds(0.5);

    /// <summary>How often the clock a pick judges an estimate's age by is read: ages are judged in seconds.</summary>
    private static readonly TimeSpan ClockPeriod = TimeSpan.FromMilliseconds(250);

    private readonly IRandomFactory _randomFactory;
    private readonly TimeProvider _time;

    // Latencies sampled this close together decay alike to within 0.1 %: compared without the exponential.
    private readonly long _negligibleDecay;

    // Samples this close together are compared as they are: a silence this short is below any latency
    // worth telling from the proxy's own scheduling, and a busy cluster's pick then takes one branch,
    // the same way each time. In the clock's own units, so the pick does not convert.
    private readonly long _closeTogether;
    private readonly long _staleAfter;
    private readonly long _returnRamp;
    private readonly double _millisecondsPerTick;

    // The clock as a timer last read it: a pick reads a field rather than the clock, which would cost
    // as much as the rest of the pick.
    private readonly ITimer _clock;
    private long _now;

    // The last published list picked from, resolved: with one busy cluster, a pick skips the
    // cluster's state lookup. It holds one list, replaced by the next one published.
    private BalancingCandidates? _last;

    public PeakEwmaLoadBalancingPolicy(IRandomFactory randomFactory, TimeProvider time)
    {
        _randomFactory = randomFactory;
        _time = time;
        _negligibleDecay = (long)(time.TimestampFrequency * DestinationRuntime.LatencyDecay.TotalSeconds / 1024);
        _closeTogether = (long)(time.TimestampFrequency * CloseTogether.TotalSeconds);
        _staleAfter = (long)(time.TimestampFrequency * StaleAfter.TotalSeconds);
        _returnRamp = (long)(time.TimestampFrequency * DestinationRuntime.ReturnRamp.TotalSeconds);
        _millisecondsPerTick = 1000.0 / time.TimestampFrequency;
        _now = time.GetTimestamp();
        _clock = time.CreateTimer(static state => ((PeakEwmaLoadBalancingPolicy)state!).ReadClock(), this, ClockPeriod, ClockPeriod);
    }

    public string Name => GinxLoadBalancingPolicies.PeakEwma;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations)
    {
        var count = availableDestinations.Count;
        if (count <= 1)
        {
            return count == 0 ? null : availableDestinations[0];
        }

        var candidates = _last is { } last && ReferenceEquals(last.Destinations, availableDestinations)
            ? last
            : Resolve(cluster, availableDestinations);
        var random = _randomFactory.CreateRandomInstance();
        var first = random.Next(count);
        var second = random.Next(count - 1);

        // Without a branch: which way it goes is random, and a mispredicted branch costs more than the add.
        second += second >= first ? 1 : 0;
        return candidates.States[Pick(candidates, first, second)];
    }

    /// <summary>The share of the return ramp the destination of <paramref name="runtime"/> has reached at <paramref name="timestamp"/>: all of its weight unless it is back from a slow spell.</summary>
    public double WeightShare(DestinationRuntime runtime, long timestamp) => runtime.ReturnWeight(timestamp, _returnRamp);

    public void Dispose() => _clock.Dispose();

    private void ReadClock() => Volatile.Write(ref _now, _time.GetTimestamp());

    private BalancingCandidates Resolve(ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations)
    {
        var candidates = ClusterBalancingState.Of(cluster).Candidates(cluster, availableDestinations);
        if (candidates.IsPublished)
        {
            _last = candidates;
        }

        return candidates;
    }

    /// <summary>
    /// The cheaper of destinations <paramref name="a"/> and <paramref name="b"/> now. Both latencies
    /// are brought to the later of their two samples, which on a busy cluster is about now, so the
    /// clock is not read: the earlier one decays by the time between them. A destination with
    /// requests in flight that has not answered for that long while the other has is at least that
    /// slow: a stall shows as soon as the silence outgrows the latency (and half a millisecond), not
    /// once its answers come back. The costs' fractions are compared cross-multiplied: no division. On a busy cluster every
    /// branch here goes the same way each time but the last, which is a select.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Pick(BalancingCandidates candidates, int a, int b)
    {
        var runtimeA = candidates.Runtimes[a];
        var runtimeB = candidates.Runtimes[b];
        var latencyA = runtimeA.RecordedLatencyMs(out var stampA);
        var latencyB = runtimeB.RecordedLatencyMs(out var stampB);
        // Stamps are positive, so the earlier is 0 when either is.
        var now = Volatile.Read(ref _now);
        if (IsUnknown(Math.Min(stampA, stampB), now))
        {
            return PickUnknown(candidates, a, stampA, b, stampB, now);
        }

        var inFlightA = runtimeA.InFlight;
        var inFlightB = runtimeB.InFlight;
        var apart = stampB - stampA;
        if ((ulong)(apart + _closeTogether) > (ulong)(2 * _closeTogether))
        {
            // Further apart than that, either way.
            if (apart > 0)
            {
                latencyA = Catch(latencyA, stampA, stampB, runtimeA, inFlightA);
            }
            else
            {
                latencyB = Catch(latencyB, stampB, stampA, runtimeB, inFlightB);
            }
        }

        // latencyA × (inFlightA + 1) ÷ (min(loadA, inFlightA + 1) × weightA) < the same of B
        var weightTime = candidates.WeightTimestamp(_time);
        var costA = latencyA * (inFlightA + 1) * Math.Min(runtimeB.MeasuredLoad, inFlightB + 1) * candidates.EffectiveWeight(b, weightTime, _time);
        var costB = latencyB * (inFlightB + 1) * Math.Min(runtimeA.MeasuredLoad, inFlightA + 1) * candidates.EffectiveWeight(a, weightTime, _time);
        if (DestinationRuntime.AnyReturning(now, _returnRamp))
        {
            return PickReturning(runtimeA, costA, a, runtimeB, costB, b, now);
        }

        return costA < costB ? a : b;
    }

    /// <summary>
    /// The cheaper of <paramref name="a"/> and <paramref name="b"/> while a destination somewhere is
    /// back from a slow spell: each cost divided by its destination's share of the ramp as well.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int PickReturning(DestinationRuntime runtimeA, double costA, int a, DestinationRuntime runtimeB, double costB, int b, long now) =>
        costA * runtimeB.ReturnWeight(now, _returnRamp) < costB * runtimeA.ReturnWeight(now, _returnRamp) ? a : b;

    /// <summary>
    /// A latency sampled at <paramref name="stamp"/>, brought to the later <paramref name="now"/>: decayed,
    /// unless the two are within the negligible decay, and, with requests in flight, at least the
    /// silence since: since that sample or since the destination last became busy, whichever is later.
    /// A replica that had nothing to answer for a while (a herd went elsewhere) is not slow for it:
    /// judged from its last answer, it would lose every pair, even to one stalling, once sent one request.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private double Catch(double latency, long stamp, long now, DestinationRuntime runtime, int inFlight)
    {
        var decayed = now - stamp > _negligibleDecay ? latency * DestinationRuntime.DecayBetween(stamp, now, _time) : latency;
        return inFlight == 0 ? decayed : Math.Max(decayed, (now - Math.Max(stamp, runtime.BusySince)) * _millisecondsPerTick);
    }

    /// <summary>Whether an estimate sampled at <paramref name="stamp"/> (0: never) says nothing at <paramref name="now"/>.</summary>
    private bool IsUnknown(long stamp, long now) => stamp == 0 || now - stamp > _staleAfter;

    /// <summary>
    /// A pair of which one at least is unknown: never measured (<paramref name="stampA"/> or
    /// <paramref name="stampB"/> 0) or measured longer than <see cref="StaleAfter"/> before <paramref name="now"/>. Such a
    /// destination takes the one request it may have until its next answer if it is idle and no other
    /// pick has claimed it; otherwise it loses to a known one. When both are unknown and claimed,
    /// nothing tells them apart: the one with fewer requests in flight.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int PickUnknown(BalancingCandidates candidates, int a, long stampA, int b, long stampB, long now)
    {
        var runtimeA = candidates.Runtimes[a];
        var runtimeB = candidates.Runtimes[b];
        var unknownA = IsUnknown(stampA, now);
        var unknownB = IsUnknown(stampB, now);
        if (unknownA && runtimeA.InFlight == 0 && runtimeA.TryClaimRequestAfter(stampA))
        {
            return a;
        }

        if (unknownB && runtimeB.InFlight == 0 && runtimeB.TryClaimRequestAfter(stampB))
        {
            return b;
        }

        if (unknownA != unknownB)
        {
            return unknownA ? b : a;
        }

        return runtimeA.InFlight <= runtimeB.InFlight ? a : b;
    }
}
