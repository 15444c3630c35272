using System.Runtime.CompilerServices;
using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.LoadBalancing;

/// <summary>
/// One destination's running weight in nginx's smooth weighted round robin, kept as long as YARP
/// keeps the destination. Read and written only under its cluster's <see cref="ClusterBalancingState.SmoothLock"/>.
/// </summary>
internal sealed class SmoothRunningWeight
{
    private static readonly ConditionalWeakTable<DestinationState, SmoothRunningWeight> Table = new();

    public double Value { get; set; }

    /// <summary>The running weight of each of <paramref name="destinations"/>, in order.</summary>
    public static SmoothRunningWeight[] Of(IReadOnlyList<DestinationState> destinations)
    {
        var weights = new SmoothRunningWeight[destinations.Count];
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = Table.GetValue(destinations[i], static _ => new SmoothRunningWeight());
        }

        return weights;
    }
}
