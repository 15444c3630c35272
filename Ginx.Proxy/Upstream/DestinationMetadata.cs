using System.Globalization;

namespace Ginx.Proxy.Upstream;

/// <summary>
/// The destination <c>Metadata</c> keys Ginx's balancing reads, and their parser. Every policy, the
/// available-destinations policy and the load-balancing middleware honour them, YARP's own policies
/// included.
/// </summary>
public static class DestinationMetadata
{
    /// <summary>An integer from 1 to <see cref="MaxWeight"/>, default 1: the destination's share relative to the others (nginx <c>weight=</c>).</summary>
    public const string Weight = nameof(Weight);

    /// <summary><c>true</c>: used only while no primary destination is available (nginx <c>backup</c>).</summary>
    public const string Backup = nameof(Backup);

    /// <summary><c>true</c>: never used (nginx <c>down</c>).</summary>
    public const string Down = nameof(Down);

    /// <summary>An integer ≥ 1: not picked while that many requests are in flight to it (nginx <c>max_conns=</c>).</summary>
    public const string MaxConns = nameof(MaxConns);

    /// <summary>A duration (<c>00:00:30</c>): after it becomes available again its weight ramps up over that time (nginx <c>slow_start=</c>).</summary>
    public const string SlowStart = nameof(SlowStart);

    /// <summary>The largest <see cref="Weight"/>: enough for any ratio, small enough that a hash ring stays small.</summary>
    public const int MaxWeight = 1000;

    /// <summary>
    /// Reads the settings from <paramref name="metadata"/>. A bad value keeps its default and, when
    /// <paramref name="problems"/> is given, adds a line naming the key and the value.
    /// </summary>
    internal static DestinationSettings Parse(IReadOnlyDictionary<string, string>? metadata, List<string>? problems = null)
    {
        if (metadata is null || metadata.Count == 0)
        {
            return DestinationSettings.Default;
        }

        return new DestinationSettings(
            ParseInt(metadata, Weight, 1, MaxWeight, 1, problems),
            ParseBool(metadata, Backup, problems),
            ParseBool(metadata, Down, problems),
            ParseInt(metadata, MaxConns, 1, int.MaxValue, DestinationSettings.Unlimited, problems),
            ParseDuration(metadata, SlowStart, problems));
    }

    private static int ParseInt(IReadOnlyDictionary<string, string> metadata, string key, int min, int max, int fallback, List<string>? problems)
    {
        if (!metadata.TryGetValue(key, out var text))
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        problems?.Add($"metadata '{key}' = '{text}' is not an integer from {min} to {max}.");
        return fallback;
    }

    private static bool ParseBool(IReadOnlyDictionary<string, string> metadata, string key, List<string>? problems)
    {
        if (!metadata.TryGetValue(key, out var text))
        {
            return false;
        }

        if (bool.TryParse(text, out var value))
        {
            return value;
        }

        problems?.Add($"metadata '{key}' = '{text}' is not 'true' or 'false'.");
        return false;
    }

    private static TimeSpan ParseDuration(IReadOnlyDictionary<string, string> metadata, string key, List<string>? problems)
    {
        if (!metadata.TryGetValue(key, out var text))
        {
            return TimeSpan.Zero;
        }

        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && value >= TimeSpan.Zero)
        {
            return value;
        }

        problems?.Add($"metadata '{key}' = '{text}' is not a non-negative duration such as '00:00:30'.");
        return TimeSpan.Zero;
    }
}
