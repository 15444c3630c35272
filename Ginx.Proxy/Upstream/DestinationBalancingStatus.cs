using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.Upstream;

/// <summary>
/// What the balancer thinks of one destination right now, for a status endpoint: its configured
/// weight, the weight it is balanced with (lower during slow start and, under a policy that balances
/// a destination with a share of its weight, by that share), its peak-EWMA latency (null before its
/// first request) and the requests in flight to it.
/// </summary>
internal readonly record struct DestinationBalancingStatus(int Weight, double EffectiveWeight, double? LatencyMs, int InFlight)
{
    /// <param name="destination">The destination.</param>
    /// <param name="settings">Its <see cref="DestinationSettings"/>, which the caller has looked up already.</param>
    /// <param name="time">The clock latency decays by.</param>
    /// <param name="weightShare">
    /// The cluster's policy when it balances a destination with a share of its weight of its own
    /// choosing, as <c>PeakEwma</c> does after a slow spell: the weight reported is the one it picks with.
    /// </param>
    public static DestinationBalancingStatus Of(DestinationState destination, DestinationSettings settings, TimeProvider time, IWeightSharePolicy? weightShare)
    {
        var runtime = DestinationRuntime.Of(destination);
        var now = time.GetTimestamp();
        var weight = runtime.EffectiveWeight(settings, now, time) * (weightShare?.WeightShare(runtime, now) ?? 1);
        return new(settings.Weight, weight, runtime.HasLatency ? runtime.LatencyMs(now, time) : null, runtime.InFlight);
    }
}
