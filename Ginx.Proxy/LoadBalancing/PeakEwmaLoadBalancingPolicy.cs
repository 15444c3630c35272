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
/// each request a pick adds still counts at once, so concurrent picks do not herd onto the cheapest.
/// A destination not measured yet costs nothing while idle and more than any measured one while busy
/// (Finagle's rule), so it gets one request at a time until its first answer.
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
        if (second >= first)
        {
            second++;
        }

        var weightTime = candidates.WeightTimestamp(time);
        return Cheaper(candidates, second, first, weightTime) ? candidates.Destinations[second] : candidates.Destinations[first];
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
    /// Whether destination <paramref name="a"/> costs less than <paramref name="b"/> now. Both latencies
    /// are brought to the later of their two samples, which on a busy cluster is about now, so no clock
    /// is read unless a slow start needs one: the earlier one decays by the time between them and, if
    /// it has requests in flight, is at least that time. A destination that has not answered for that
    /// long while the other has is at least that slow: a stall shows while it lasts, not only when its
    /// answers come back. The costs' fractions are compared cross-multiplied: no division.
    /// </summary>
    private bool Cheaper(BalancingCandidates candidates, int a, int b, long weightTime)
    {
        var runtimeA = candidates.Runtimes[a];
        var runtimeB = candidates.Runtimes[b];
        var latencyA = runtimeA.RecordedLatencyMs(out var stampA);
        var latencyB = runtimeB.RecordedLatencyMs(out var stampB);
        var inFlightA = runtimeA.InFlight;
        var inFlightB = runtimeB.InFlight;
        if (stampA == 0 || stampB == 0)
        {
            return Unmeasured(stampA, inFlightA) < Unmeasured(stampB, inFlightB);
        }

        if (stampA < stampB)
        {
            latencyA = Catch(latencyA, stampA, stampB, inFlightA);
        }
        else if (stampB < stampA)
        {
            latencyB = Catch(latencyB, stampB, stampA, inFlightB);
        }

        // latencyA × (inFlightA + 1) ÷ (loadA × weightA) < latencyB × (inFlightB + 1) ÷ (loadB × weightB)
        var costA = latencyA * (inFlightA + 1) * runtimeB.MeasuredLoad * candidates.EffectiveWeight(b, weightTime, time);
        var costB = latencyB * (inFlightB + 1) * runtimeA.MeasuredLoad * candidates.EffectiveWeight(a, weightTime, time);
        return costA < costB;
    }

    /// <summary>A latency sampled at <paramref name="stamp"/>, brought to the later <paramref name="now"/>.</summary>
    private double Catch(double latency, long stamp, long now, int inFlight)
    {
        var silence = now - stamp;
        if (silence < _negligibleDecay)
        {
            return latency;
        }

        var decayed = latency * DestinationRuntime.DecayBetween(stamp, now, time);
        return inFlight == 0 ? decayed : Math.Max(decayed, silence * _millisecondsPerTick);
    }

    /// <summary>The order of a destination not measured yet (<paramref name="stamp"/> 0) among measured ones: first while idle, last while busy.</summary>
    private static double Unmeasured(long stamp, int inFlight) =>
        stamp != 0 ? 1 : inFlight == 0 ? 0 : double.PositiveInfinity;
}
