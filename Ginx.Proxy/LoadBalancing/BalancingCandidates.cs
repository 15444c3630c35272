using System.Runtime.CompilerServices;
using Ginx.Proxy.Upstream;
using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.LoadBalancing;

/// <summary>
/// A list of destinations with each one's settings and runtime state resolved, so a pick reads arrays
/// instead of looking each destination up. Built once per list YARP publishes (see
/// <see cref="ClusterBalancingState.Candidates"/>).
/// </summary>
internal sealed class BalancingCandidates
{
    private SmoothWeightedSchedule? _schedule;
    private bool _scheduleBuilt;
    private SmoothRunningWeight[]? _runningWeights;

    public BalancingCandidates(IReadOnlyList<DestinationState> destinations, bool published)
    {
        IsPublished = published;
        Destinations = destinations;
        States = destinations.ToArray();
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

    /// <summary><see cref="Destinations"/> copied to an array, which a pick indexes without an interface call.</summary>
    public DestinationState[] States { get; }

    public DestinationSettings[] Settings { get; }

    public DestinationRuntime[] Runtimes { get; }

    public int Count => Runtimes.Length;

    /// <summary>
    /// Each candidate's smooth weighted round robin running weight, resolved on first use: only that
    /// policy's locked pass reads them. Two threads may both resolve them; both get the same objects.
    /// </summary>
    public SmoothRunningWeight[] RunningWeights => _runningWeights ??= SmoothRunningWeight.Of(Destinations);

    /// <summary>Whether this is the cluster's published list, cached for every request, rather than one resolved for a single pick.</summary>
    public bool IsPublished { get; }

    /// <summary>
    /// The precomputed smooth weighted round robin cycle, for a published list whose weights do not
    /// change with time (no slow start); null otherwise, or when the cycle is too long.
    /// </summary>
    public SmoothWeightedSchedule? Schedule
    {
        get
        {
            if (!IsPublished || _hasSlowStart)
            {
                return null;
            }

            // Two threads may both build it on first use; either result is the same cycle.
            if (!Volatile.Read(ref _scheduleBuilt))
            {
                _schedule = SmoothWeightedSchedule.TryBuild(Settings);
                Volatile.Write(ref _scheduleBuilt, true);
            }

            return _schedule;
        }
    }

    /// <summary>
    /// The time to compute effective weights at. Only a slow start makes a weight depend on time, so
    /// without one the clock is not read.
    /// </summary>
    public long WeightTimestamp(TimeProvider time) => _hasSlowStart ? time.GetTimestamp() : 0;

    /// <summary>Every candidate's weight, when none changes with time (no slow start); otherwise null, and <see cref="EffectiveWeights"/> computes them.</summary>
    public double[]? FixedWeights => _hasSlowStart ? null : _weights;

    /// <summary>Every candidate's weight at <paramref name="timestamp"/> (from <see cref="WeightTimestamp"/>), into <paramref name="weights"/>.</summary>
    public void EffectiveWeights(long timestamp, TimeProvider time, Span<double> weights)
    {
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = EffectiveWeight(i, timestamp, time);
        }
    }

    /// <summary>Candidate <paramref name="index"/>'s weight at <paramref name="timestamp"/> (from <see cref="WeightTimestamp"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double EffectiveWeight(int index, long timestamp, TimeProvider time) =>
        _hasSlowStart ? Runtimes[index].EffectiveWeight(Settings[index], timestamp, time) : _weights[index];
}
