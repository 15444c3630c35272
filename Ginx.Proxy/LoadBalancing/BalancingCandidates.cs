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
        _weights = new double[destinations.Count];
        for (var i = 0; i < destinations.Count; i++)
        {
            Settings[i] = DestinationSettings.Of(destinations[i]);
            Runtimes[i] = DestinationRuntime.Of(destinations[i]);
            _weights[i] = Settings[i].Weight;
            _hasSlowStart |= Settings[i].SlowStart > TimeSpan.Zero;
        }
    }

    private readonly double[] _weights;
    private readonly bool _hasSlowStart;

    public IReadOnlyList<DestinationState> Destinations { get; }

    public DestinationSettings[] Settings { get; }

    public DestinationRuntime[] Runtimes { get; }

    public int Count => Runtimes.Length;

    /// <summary>
    /// The time to compute effective weights at. Only a slow start makes a weight depend on time, so
    /// without one the clock is not read.
    /// </summary>
    public long WeightTimestamp(TimeProvider time) => _hasSlowStart ? time.GetTimestamp() : 0;

    /// <summary>Candidate <paramref name="index"/>'s weight at <paramref name="timestamp"/> (from <see cref="WeightTimestamp"/>).</summary>
    public double EffectiveWeight(int index, long timestamp, TimeProvider time) =>
        _hasSlowStart ? Runtimes[index].EffectiveWeight(Settings[index], timestamp, time) : _weights[index];
}
