namespace Ginx.Proxy.NginxConf;

/// <summary>
/// The Ginx <c>HashKey</c> for the variable an nginx <c>hash</c> directive hashes: one variable,
/// <c>$remote_addr</c>, <c>$request_uri</c>, <c>$uri</c>, <c>$http_NAME</c>, <c>$cookie_NAME</c>
/// or <c>$arg_NAME</c>. A key built of several variables or of text is refused: Ginx hashes one thing.
/// </summary>
internal static class NginxHashKey
{
    /// <summary>What <c>ip_hash</c> hashes.</summary>
    public const string ClientIp = "client-ip";

    /// <summary>The Ginx key for <paramref name="variable"/>; null when Ginx has none.</summary>
    public static string? For(string variable)
    {
        var name = variable.StartsWith("${", StringComparison.Ordinal) && variable.EndsWith('}')
            ? variable[2..^1]
            : variable.StartsWith('$') ? variable[1..] : null;
        if (name is null || name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            return null;
        }

        return name switch
        {
            "remote_addr" or "binary_remote_addr" => ClientIp,
            "request_uri" => "path-and-query",
            "uri" or "document_uri" => "path",
            _ when Suffix(name, "http_") is { } header => "header:" + header.Replace('_', '-'),
            _ when Suffix(name, "cookie_") is { } cookie => "cookie:" + cookie,
            _ when Suffix(name, "arg_") is { } argument => "query:" + argument,
            _ => null,
        };
    }

    private static string? Suffix(string name, string prefix) =>
        name.Length > prefix.Length && name.StartsWith(prefix, StringComparison.Ordinal) ? name[prefix.Length..] : null;
}
