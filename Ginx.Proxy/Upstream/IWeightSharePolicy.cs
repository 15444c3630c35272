namespace Ginx.Proxy.Upstream;

/// <summary>
/// A load-balancing policy that balances a destination with a share of its weight of its own
/// choosing, beyond what slow start leaves (<c>PeakEwma</c>'s return ramp), so that the status API
/// can report the weight a pick uses. Other policies balance with the weight slow start leaves.
/// </summary>
internal interface IWeightSharePolicy
{
    /// <summary>The share of its weight, from a tenth to all of it, that the destination of <paramref name="runtime"/> is balanced with at <paramref name="timestamp"/>.</summary>
    double WeightShare(DestinationRuntime runtime, long timestamp);
}
