namespace Ginx.Proxy.NginxConf;

/// <summary>
/// A <c>proxy_pass</c> target: an upstream's name, or one server's <c>host:port</c>, with the scheme
/// and the URI that replaces the matched location prefix, as nginx replaces it.
/// </summary>
/// <param name="Scheme"><c>http</c> or <c>https</c>.</param>
/// <param name="Target">The upstream name, or the <c>host:port</c> of a single server.</param>
/// <param name="IsAddress">Whether <see cref="Target"/> is an address rather than an upstream's name.</param>
/// <param name="Uri">The path after the target (<c>/v1/</c>), or null when none was written.</param>
/// <param name="Source">Where the <c>proxy_pass</c> is.</param>
internal sealed record ProxyPass(string Scheme, string Target, bool IsAddress, string? Uri, NginxSource Source)
{
    public static ProxyPass? Read(NginxDirective directive, NginxConfProblems problems)
    {
        if (!DirectiveChecks.IsSimple(directive, 1, 1, problems))
        {
            return null;
        }

        var text = directive.Arguments[0];
        if (text.Contains('$', StringComparison.Ordinal))
        {
            problems.Add(directive.Source, $"\"proxy_pass {text}\": Ginx does not resolve variables in proxy_pass; name an upstream");
            return null;
        }

        var separator = text.IndexOf("://", StringComparison.Ordinal);
        var scheme = separator < 0 ? "" : text[..separator];
        if (scheme is not ("http" or "https"))
        {
            problems.Add(directive.Source, $"invalid URL \"{text}\" in \"proxy_pass\": expected http://NAME[/path] or https://NAME[/path]");
            return null;
        }

        var rest = text[(separator + 3)..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var target = slash < 0 ? rest : rest[..slash];
        var uri = slash < 0 ? null : rest[slash..];
        if (target.Length == 0 || uri?.IndexOfAny(['?', '#']) >= 0)
        {
            problems.Add(directive.Source, $"invalid URL \"{text}\" in \"proxy_pass\": expected http://NAME[/path] or https://NAME[/path]");
            return null;
        }

        // As nginx: a name with a port, or an address, is one server; a bare name is an upstream.
        var isAddress = target.Contains(':', StringComparison.Ordinal) || System.Net.IPAddress.TryParse(target, out _);
        if (isAddress)
        {
            if (!UpstreamAddress.TryParse(target, out var authority, out var error))
            {
                problems.Add(directive.Source, error!);
                return null;
            }

            target = authority;
        }

        return new ProxyPass(scheme, target, isAddress, uri, directive.Source);
    }
}
