using System.Globalization;

namespace Ginx.Proxy.Configuration;

/// <summary>A duration as .NET configuration reads it back, in its shortest form.</summary>
internal static class TimeSpanText
{
    /// <summary>
    /// <c>00:00:10</c>, <c>00:00:00.5</c>: TimeSpan's own form pads a fraction to seven digits
    /// ('00:00:00.0005' would read '00:00:00.0005000'), which is further from what a user writes.
    /// </summary>
    public static string Shortest(TimeSpan span)
    {
        var text = span.ToString("c", CultureInfo.InvariantCulture);
        return text.LastIndexOf('.') > text.LastIndexOf(':') ? text.TrimEnd('0') : text;
    }
}
