using System.Globalization;
using System.Text.RegularExpressions;

namespace Ginx.Proxy.NginxConf;

/// <summary>
/// Times and sizes as nginx writes them: <c>500ms</c>, <c>10s</c>, <c>1m</c>, <c>1h 30m</c>
/// (no unit: seconds); <c>512</c>, <c>16k</c>, <c>1m</c>, <c>1g</c> (no unit: bytes).
/// </summary>
internal static partial class NginxUnits
{
    /// <summary>The value and unit parts of a time, several of which may add up ("1h30m").</summary>
    [GeneratedRegex(@"\G\s*(\d+)(ms|s|m|h|d|w|M|y)?")]
    private static partial Regex TimePart();

    /// <summary>A time such as <c>10s</c>; the form nginx accepts, and its message when it is not.</summary>
    public static bool TryParseTime(string text, out TimeSpan time)
    {
        time = TimeSpan.Zero;
        var position = 0;
        var matched = false;
        foreach (Match part in TimePart().Matches(text))
        {
            if (part.Index != position || !long.TryParse(part.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            var unit = part.Groups[2].Success ? part.Groups[2].Value : "s";
            var milliseconds = unit switch
            {
                "ms" => 1L,
                "s" => 1000L,
                "m" => 60_000L,
                "h" => 3_600_000L,
                "d" => 86_400_000L,
                "w" => 7 * 86_400_000L,
                "M" => 30 * 86_400_000L,
                _ => 365 * 86_400_000L,
            };
            if (value > TimeSpan.MaxValue.TotalMilliseconds / milliseconds)
            {
                return false;
            }

            time += TimeSpan.FromMilliseconds(value * milliseconds);
            position = part.Index + part.Length;
            matched = true;

            // A bare number is seconds only alone: "10" is 10s, but "1h 10" is not nginx.
            if (!part.Groups[2].Success && position < text.Length)
            {
                return false;
            }
        }

        return matched && position == text.Length;
    }

    /// <summary>A size such as <c>16k</c>, in bytes.</summary>
    public static bool TryParseSize(string text, out long bytes)
    {
        bytes = 0;
        if (text.Length == 0)
        {
            return false;
        }

        var multiplier = char.ToLowerInvariant(text[^1]) switch
        {
            'k' => 1024L,
            'm' => 1024L * 1024,
            'g' => 1024L * 1024 * 1024,
            _ => 1L,
        };
        var digits = multiplier == 1 ? text : text[..^1];
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            && value <= long.MaxValue / multiplier
            && (bytes = value * multiplier) >= 0;
    }

    /// <summary>A whole number ≥ 0, as nginx's counts are.</summary>
    public static bool TryParseCount(string text, out int count) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out count);

    /// <summary>A time as nginx would write it, in its largest whole unit, for messages: <c>2h</c>, <c>500ms</c>.</summary>
    public static string Describe(TimeSpan time)
    {
        var milliseconds = (long)time.TotalMilliseconds;
        foreach (var (unit, size) in Units)
        {
            if (milliseconds != 0 && milliseconds % size == 0)
            {
                return $"{milliseconds / size}{unit}";
            }
        }

        return $"{milliseconds}ms";
    }

    private static readonly (string Unit, long Milliseconds)[] Units = [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)];
}
