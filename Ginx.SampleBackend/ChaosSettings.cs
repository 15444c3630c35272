namespace Ginx.SampleBackend;

/// <summary>
/// What the replica is told to do wrong, set by <c>POST /chaos</c>. Every field is optional;
/// the default is no chaos.
/// </summary>
public sealed record ChaosSettings
{
    /// <summary>No chaos: the replica serves normally.</summary>
    public static readonly ChaosSettings None = new();

    /// <summary>Milliseconds added before every answer.</summary>
    public int LatencyMs { get; init; }

    /// <summary>Share of requests, 0 to 1, answered with <see cref="ErrorStatus"/>.</summary>
    public double ErrorRate { get; init; }

    /// <summary>The status of an injected error, 400 to 599.</summary>
    public int ErrorStatus { get; init; } = StatusCodes.Status500InternalServerError;

    /// <summary>Share of requests, 0 to 1, whose connection is reset without an answer.</summary>
    public double AbortRate { get; init; }

    /// <summary>
    /// Milliseconds the replica stalls, once every <see cref="StallEveryMs"/>, as a stop-the-world
    /// GC pause does: a request arriving during a stall waits until it ends. 0: no stalls.
    /// </summary>
    public int StallMs { get; init; }

    /// <summary>How often a stall starts, in milliseconds; longer than <see cref="StallMs"/>.</summary>
    public int StallEveryMs { get; init; }

    /// <summary>
    /// True when no chaos is set: the settings ask for no misbehaviour at all. Not the replica's
    /// health: a slowed replica still answers, and its balancer keeps it.
    /// </summary>
    public bool NoChaos => LatencyMs == 0 && ErrorRate == 0 && AbortRate == 0 && StallMs == 0;

    /// <summary>
    /// How long a request arriving at <paramref name="nowMs"/> (on any clock that counts
    /// milliseconds) waits for the stall in progress to end; zero outside a stall. Stalls start at
    /// every multiple of <see cref="StallEveryMs"/> on that clock.
    /// </summary>
    public TimeSpan StallRemaining(long nowMs)
    {
        if (StallMs == 0)
        {
            return TimeSpan.Zero;
        }

        var intoPeriod = nowMs % StallEveryMs;
        return intoPeriod < StallMs ? TimeSpan.FromMilliseconds(StallMs - intoPeriod) : TimeSpan.Zero;
    }

    /// <summary>The invalid fields, each with what is wrong; empty when the settings are valid.</summary>
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (LatencyMs is < 0 or > MaxLatencyMs)
        {
            errors[nameof(LatencyMs)] = [$"must be between 0 and {MaxLatencyMs}, was {LatencyMs}."];
        }

        if (ErrorRate is < 0 or > 1 || double.IsNaN(ErrorRate))
        {
            errors[nameof(ErrorRate)] = [$"must be between 0 and 1, was {ErrorRate}."];
        }

        if (ErrorStatus is < 400 or > 599)
        {
            errors[nameof(ErrorStatus)] = [$"must be between 400 and 599, was {ErrorStatus}."];
        }

        if (AbortRate is < 0 or > 1 || double.IsNaN(AbortRate))
        {
            errors[nameof(AbortRate)] = [$"must be between 0 and 1, was {AbortRate}."];
        }

        if (StallMs is < 0 or > MaxLatencyMs)
        {
            errors[nameof(StallMs)] = [$"must be between 0 and {MaxLatencyMs}, was {StallMs}."];
        }
        else if (StallMs > 0 && (StallEveryMs <= StallMs || StallEveryMs > MaxStallEveryMs))
        {
            errors[nameof(StallEveryMs)] = [$"must be more than StallMs ({StallMs}) and at most {MaxStallEveryMs}, was {StallEveryMs}."];
        }
        else if (StallMs == 0 && StallEveryMs != 0)
        {
            errors[nameof(StallEveryMs)] = [$"needs a StallMs above 0, was {StallEveryMs} with StallMs 0."];
        }

        return errors;
    }

    /// <summary>The longest injected latency or stall: longer than any sane client timeout.</summary>
    public const int MaxLatencyMs = 600_000;

    /// <summary>The longest period between two stalls: an hour.</summary>
    public const int MaxStallEveryMs = 3_600_000;
}
