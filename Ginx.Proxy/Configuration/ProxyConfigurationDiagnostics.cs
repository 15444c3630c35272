using System.Globalization;
using System.Security.Authentication;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Configuration;

namespace Ginx.Proxy.Configuration;

/// <summary>
/// Finds the keys behind a configuration YARP could not read. YARP parses typed values (timeouts,
/// flags, versions) and destination addresses with the framework's parsers, whose exceptions say
/// "String 'abc' was not recognized as a valid TimeSpan" but not where; this re-reads the section
/// the way YARP does and names every key that would fail, with its value and the expected form.
/// </summary>
internal static class ProxyConfigurationDiagnostics
{
    private static readonly string TimeSpanForm = "a duration [d.]hh:mm:ss[.fff], e.g. 00:00:30";

    private static readonly Dictionary<string, (Func<string, bool> IsValid, string Expected)> TypedKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Enabled"] = (IsBool, "true or false"),
        ["AllowResponseBuffering"] = (IsBool, "true or false"),
        ["DangerousAcceptAnyServerCertificate"] = (IsBool, "true or false"),
        ["EnableMultipleHttp2Connections"] = (IsBool, "true or false"),
        ["IsCaseSensitive"] = (IsBool, "true or false"),
        ["HttpOnly"] = (IsBool, "true or false"),
        ["IsEssential"] = (IsBool, "true or false"),
        ["BypassOnLocal"] = (IsBool, "true or false"),
        ["UseDefaultCredentials"] = (IsBool, "true or false"),
        ["Interval"] = (IsTimeSpan, TimeSpanForm),
        ["Timeout"] = (IsTimeSpan, TimeSpanForm),
        ["ActivityTimeout"] = (IsTimeSpan, TimeSpanForm),
        ["ReactivationPeriod"] = (IsTimeSpan, TimeSpanForm),
        ["Expiration"] = (IsTimeSpan, TimeSpanForm),
        ["MaxAge"] = (IsTimeSpan, TimeSpanForm),
        ["Order"] = (value => int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _), "a whole number"),
        ["MaxConnectionsPerServer"] = (value => int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _), "a whole number"),
        ["MaxRequestBodySize"] = (value => long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _), "a whole number of bytes"),
        ["Version"] = (value => value.Length == 0 || Version.TryParse(value.Contains('.') ? value : value + ".0", out _), "an HTTP version such as 1.1 or 2"),
        ["VersionPolicy"] = (IsEnum<HttpVersionPolicy>, Names<HttpVersionPolicy>()),
        ["SameSite"] = (IsEnum<SameSiteMode>, Names<SameSiteMode>()),
        ["SecurePolicy"] = (IsEnum<CookieSecurePolicy>, Names<CookieSecurePolicy>()),
    };

    /// <summary>Every key under <paramref name="section"/> YARP would fail to read, described.</summary>
    public static IReadOnlyList<string> Explain(IConfigurationSection section)
    {
        var problems = new List<string>();
        foreach (var (key, value) in section.AsEnumerable(makePathsRelative: true))
        {
            if (value is null || IsFreeForm(key))
            {
                continue;
            }

            var path = key.Split(':');
            var name = path[^1];
            var problem = Describe(path, name, value);
            if (problem is not null)
            {
                problems.Add($"{section.Path}:{key} = '{value}' {problem}");
            }
        }

        problems.Sort(StringComparer.Ordinal);
        return problems;
    }

    private static string? Describe(string[] path, string name, string value)
    {
        if (IsUnder(path, "Destinations") && name is "Address" or "Health")
        {
            return (name == "Health" && value.Length == 0) || Uri.TryCreate(value, UriKind.Absolute, out _)
                ? null
                : "is not an absolute address such as http://10.0.0.5:8080";
        }

        if (IsUnder(path, "WebProxy") && name == "Address")
        {
            return Uri.TryCreate(value, UriKind.Absolute, out _) ? null : "is not an absolute address";
        }

        if (IsUnder(path, "SslProtocols"))
        {
            return IsEnum<SslProtocols>(value) ? null : $"is not one of {Names<SslProtocols>()}";
        }

        if (name == "Mode")
        {
            return IsUnder(path, "Headers")
                ? IsEnum<HeaderMatchMode>(value) ? null : $"is not one of {Names<HeaderMatchMode>()}"
                : IsEnum<QueryParameterMatchMode>(value) ? null : $"is not one of {Names<QueryParameterMatchMode>()}";
        }

        return TypedKeys.TryGetValue(name, out var rule) && !rule.IsValid(value) ? $"is not {rule.Expected}" : null;
    }

    // Metadata and transforms are key/value pairs of the user's own; YARP reads them as strings.
    private static bool IsFreeForm(string key) =>
        key.Contains(":Metadata:", StringComparison.OrdinalIgnoreCase) || key.Contains(":Transforms:", StringComparison.OrdinalIgnoreCase);

    private static bool IsUnder(string[] path, string segment) =>
        Array.Exists(path, part => string.Equals(part, segment, StringComparison.OrdinalIgnoreCase));

    private static bool IsBool(string value) => bool.TryParse(value, out _);

    private static bool IsTimeSpan(string value) => TimeSpan.TryParseExact(value, "c", CultureInfo.InvariantCulture, out _);

    private static bool IsEnum<TEnum>(string value) where TEnum : struct, Enum => Enum.TryParse<TEnum>(value, ignoreCase: true, out _);

    private static string Names<TEnum>() where TEnum : struct, Enum => string.Join(", ", Enum.GetNames<TEnum>());
}
