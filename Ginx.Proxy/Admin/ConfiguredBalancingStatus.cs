using System.Globalization;
using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.Admin;

/// <summary>
/// The balancing status when no policy reports one: the weight as configured in the destination's
/// <see cref="WeightMetadataKey"/> metadata (1 when absent or not a positive number), no latency.
/// </summary>
internal sealed class ConfiguredBalancingStatus : IDestinationBalancingStatus
{
    /// <summary>The destination metadata key holding its weight.</summary>
    public const string WeightMetadataKey = "Weight";

    public double Weight(ClusterState cluster, DestinationState destination) =>
        destination.Model.Config.Metadata?.GetValueOrDefault(WeightMetadataKey) is { } text
        && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var weight)
        && weight > 0 && double.IsFinite(weight)
            ? weight
            : 1;

    public double? EwmaLatencyMs(ClusterState cluster, DestinationState destination) => null;
}
