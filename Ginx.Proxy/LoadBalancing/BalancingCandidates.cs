using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.LoadBalancing;

/// <summary>
/// A list of destinations with each one's settings and runtime state resolved, so a pick reads arrays
/// instead of looking each destination up. Built once per list YARP publishes (see
/// <see cref="ClusterBalancingState.Candidates"/>).
/// </summary>
internal sealed class BalancingCandidates
{
    public BalancingCandidates(IReadOnlyList<DestinationState> destinations)
    {
        Destinations = destinations;
        Settings = new DestinationSettings[destinations.Count];
        Runtimes = new DestinationRuntime[destinations.Count];
        for (var i = 0; i < destinations.Count; i++)
        {
            Settings[i] = DestinationSettings.Of(destinations[i]);
            Runtimes[i] = DestinationRuntime.Of(destinations[i]);
        }
    }

    public IReadOnlyList<DestinationState> Destinations { get; }

    public DestinationSettings[] Settings { get; }

    public DestinationRuntime[] Runtimes { get; }

    public int Count => Runtimes.Length;
}
