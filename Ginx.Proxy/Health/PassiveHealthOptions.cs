using System.ComponentModel.DataAnnotations;
using Ginx.Proxy.Configuration;

namespace Ginx.Proxy.Health;

/// <summary>
/// How the proxy learns from the traffic itself that a destination is failing. Two detectors:
/// nginx's <c>max_fails</c>/<c>fail_timeout</c>, and Envoy's outlier detection (consecutive 5xx and
/// success rate, with ejections that grow longer each time and a cap on how much of the cluster may
/// be ejected at once). Defaults come from <c>Ginx:PassiveHealth</c>; a cluster overrides any of them
/// through its metadata.
/// </summary>
public sealed class PassiveHealthOptions : ClusterSettings<PassiveHealthOptions>
{
    /// <summary>The configuration section of the defaults.</summary>
    public const string SectionName = "Ginx:PassiveHealth";

    /// <inheritdoc/>
    protected override void BindOverrides(IConfiguration metadata) => metadata.Bind(this);

    /// <summary>The most <see cref="MaxFails"/> allowed.</summary>
    public const int MostMaxFails = 1000;

    /// <summary>Failures within <see cref="FailTimeout"/> that take a destination out (nginx <c>max_fails</c>); 0 turns this detector off.</summary>
    [Range(0, MostMaxFails)]
    public int MaxFails { get; set; } = 1;

    private const string ShortestFailTimeout = "00:00:00.010";
    private const string LongestFailTimeout = "01:00:00";

    /// <summary>The range <see cref="FailTimeout"/> is held to, for the nginx translation, which checks <c>fail_timeout</c> before writing it.</summary>
    public static readonly TimeSpanRangeAttribute FailTimeoutRange = new(ShortestFailTimeout, LongestFailTimeout);

    /// <summary>The window failures are counted in, and how long the destination then stays out (nginx <c>fail_timeout</c>).</summary>
    [TimeSpanRange(ShortestFailTimeout, LongestFailTimeout)]
    public TimeSpan FailTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Consecutive 5xx answers or gateway errors that eject a destination (Envoy <c>consecutive_5xx</c>); 0 turns this off.</summary>
    [Range(0, 1000)]
    public int Consecutive5xx { get; set; } = 5;

    /// <summary>
    /// Success-rate ejection: every interval, a destination whose success rate falls more than this
    /// many standard deviations below the cluster's mean is ejected (Envoy <c>success_rate_stdev_factor</c>); 0 turns it off.
    /// </summary>
    [Range(0.0, 100.0)]
    public double SuccessRateStdevFactor { get; set; } = 1.9;

    /// <summary>Requests a destination must have served in the interval to be judged by success rate.</summary>
    [Range(1, 1_000_000)]
    public int SuccessRateRequestVolume { get; set; } = 50;

    /// <summary>Destinations with enough requests needed before success rates are compared at all.</summary>
    [Range(2, 1000)]
    public int SuccessRateMinimumHosts { get; set; } = 3;

    /// <summary>How often success rates are compared.</summary>
    [TimeSpanRange("00:00:01", "01:00:00")]
    public TimeSpan SuccessRateInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The first ejection's length; each further one lasts one more of these (Envoy <c>base_ejection_time</c>).</summary>
    [TimeSpanRange("00:00:00.010", "01:00:00")]
    public TimeSpan BaseEjectionTime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest an ejection lasts (Envoy <c>max_ejection_time</c>).</summary>
    [TimeSpanRange("00:00:00.010", "1.00:00:00")]
    public TimeSpan MaxEjectionTime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The most of a cluster outlier detection may eject at once, in percent (Envoy <c>max_ejection_percent</c>).</summary>
    [Range(0, 100)]
    public int MaxEjectionPercent { get; set; } = 50;
}
