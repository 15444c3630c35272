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
/// A destination not measured yet takes one request, claimed atomically across every pick, until its
/// first answer; while that request is out it loses to any measured destination.
/// </summary>
internal sealed class PeakEwmaLoadBalancingPolicy(IRandomFactory randomFactory, TimeProvider time) : ILoadBalancingPolicy
{
    // Latencies sampled this close together decay alike to within 0.1 %: compared as they are, with
    // no exponential. In the clock's own units, so a busy cluster's pick does not convert either.
    private readonly long _negligibleDecay = (long)(time.TimestampFrequency * DestinationRuntime.LatencyDecay.TotalSeconds / 1024);
    private readonly double _millisecondsPerTick = 1000.0 / time.TimestampFrequency;

    // The last published list picked from, resolved: with one busy cluster, a pick skips the
    // cluster's state lookup. It holds one list, replaced by the next one published.
    private BalancingCandidates? _last;

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
        var random = randomFactory.CreateRandomInstance();
        var first = random.Next(count);
        var second = random.Next(count - 1);

        // Without a branch: which way it goes is random, and a mispredicted branch costs more than the add.
        second += second >= first ? 1 : 0;
        return candidates.States[Pick(candidates, first, second)];
    }

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
    /// are brought to the later of their two samples, which on a busy cluster is about now, so no clock
    /// is read unless a slow start needs one: the earlier one decays by the time between them and, if
    /// it has requests in flight, is at least that time. A destination that has not answered for that
    /// long while the other has is at least that slow: a stall shows while it lasts, not only when its
    /// answers come back. The costs' fractions are compared cross-multiplied: no division. On a busy
    /// cluster every branch here goes the same way each time but the last, which is a select.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Pick(BalancingCandidates candidates, int a, int b)
    {
        var runtimeA = candidates.Runtimes[a];
        var runtimeB = candidates.Runtimes[b];
        var latencyA = runtimeA.RecordedLatencyMs(out var stampA);
        var latencyB = runtimeB.RecordedLatencyMs(out var stampB);
        if (stampA == 0 || stampB == 0)
        {
            return PickUnmeasured(candidates, a, stampA, b, stampB);
        }

        var inFlightA = runtimeA.InFlight;
        var inFlightB = runtimeB.InFlight;
        var apart = stampB - stampA;
        if ((ulong)(apart + _negligibleDecay) > (ulong)(2 * _negligibleDecay))
        {
            // More than the negligible decay apart, either way.
            if (apart > 0)
            {
                latencyA = Catch(latencyA, stampA, stampB, inFlightA);
            }
            else
            {
                latencyB = Catch(latencyB, stampB, stampA, inFlightB);
            }
        }

        // latencyA × (inFlightA + 1) ÷ (min(loadA, inFlightA + 1) × weightA) < the same of B
        var weightTime = candidates.WeightTimestamp(time);
        var costA = latencyA * (inFlightA + 1) * Math.Min(runtimeB.MeasuredLoad, inFlightB + 1) * candidates.EffectiveWeight(b, weightTime, time);
        var costB = latencyB * (inFlightB + 1) * Math.Min(runtimeA.MeasuredLoad, inFlightA + 1) * candidates.EffectiveWeight(a, weightTime, time);
        return costA < costB ? a : b;
    }

    /// <summary>A latency sampled at <paramref name="stamp"/>, brought to the later <paramref name="now"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private double Catch(double latency, long stamp, long now, int inFlight)
    {
        var decayed = latency * DestinationRuntime.DecayBetween(stamp, now, time);
        return inFlight == 0 ? decayed : Math.Max(decayed, (now - stamp) * _millisecondsPerTick);
    }

    /// <summary>
    /// A pair of which one at least has never answered (<paramref name="stampA"/> or
    /// <paramref name="stampB"/> 0). Such a destination takes the one request it may have before its
    /// first answer if it is idle and no other pick has claimed it; otherwise it loses to a measured one.
    /// When both are claimed nothing is known of either: the one with fewer requests in flight.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int PickUnmeasured(BalancingCandidates candidates, int a, long stampA, int b, long stampB)
    {
        var runtimeA = candidates.Runtimes[a];
        var runtimeB = candidates.Runtimes[b];
        if (stampA == 0 && runtimeA.InFlight == 0 && runtimeA.TryClaimFirstRequest())
        {
            return a;
        }

        if (stampB == 0 && runtimeB.InFlight == 0 && runtimeB.TryClaimFirstRequest())
        {
            return b;
        }

        if (stampA != 0 || stampB != 0)
        {
            return stampA != 0 ? a : b;
        }

        return runtimeA.InFlight <= runtimeB.InFlight ? a : b;
    }
}
