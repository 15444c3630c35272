namespace Ginx.SampleBackend;

/// <summary>
/// What the replica is told to do wrong, set by <c>POST /chaos</c>. Every field is optional;
/// the default is a healthy replica.
/// </summary>
public sealed record ChaosSettings
{
    /// <summary>A healthy replica.</summary>
    public static readonly ChaosSettings None = new();

    /// <summary>Milliseconds added before every answer.</summary>
    public int LatencyMs { get; init; }

    /// <summary>Share of requests, 0 to 1, answered with <see cref="ErrorStatus"/>.</summary>
    public double ErrorRate { get; init; }

    /// <summary>The status of an injected error, 400 to 599.</summary>
    public int ErrorStatus { get; init; } = StatusCodes.Status500InternalServerError;

    /// <summary>Share of requests, 0 to 1, whose connection is reset without an answer.</summary>
    public double AbortRate { get; init; }

    /// <summary>Whether the settings ask for any misbehaviour at all.</summary>
    public bool IsHealthy => LatencyMs == 0 && ErrorRate == 0 && AbortRate == 0;

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

        return errors;
    }

    /// <summary>The longest injected latency: longer than any sane client timeout.</summary>
    public const int MaxLatencyMs = 600_000;
}
