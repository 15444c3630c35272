using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.Upstream;

/// <summary>
/// What the balancer thinks of one destination right now, for a status endpoint: its configured
/// weight, the weight it is balanced with (lower during slow start), its peak-EWMA latency (null
/// before its first request) and the requests in flight to it.
/// </summary>
internal readonly record struct DestinationBalancingStatus(int Weight, double EffectiveWeight, double? LatencyMs, int InFlight)
{
    /// <param name="destination">The destination.</param>
    /// <param name="settings">Its <see cref="DestinationSettings"/>, which the caller has looked up already.</param>
    /// <param name="time">The clock latency decays by.</param>
    public static DestinationBalancingStatus Of(DestinationState destination, DestinationSettings settings, TimeProvider time)
    {
        var runtime = DestinationRuntime.Of(destination);
        var now = time.GetTimestamp();
        return new(settings.Weight, runtime.EffectiveWeight(settings, now, time), runtime.HasLatency ? runtime.LatencyMs(now, time) : null, runtime.InFlight);
    }
}
