using System.Globalization;

namespace Ginx.Proxy.NginxConf;

/// <summary>A <c>listen</c> directive as a Kestrel URL: <c>listen 8080</c> is <c>http://0.0.0.0:8080</c>, as nginx binds every IPv4 address.</summary>
/// <param name="Url">The URL Kestrel binds.</param>
/// <param name="Port">The port, which tells servers apart when they listen on different ones.</param>
/// <param name="IsDefaultServer">Whether <c>default_server</c> was given.</param>
internal sealed record ListenAddress(string Url, int Port, bool IsDefaultServer)
{
    /// <summary>Socket tuning Ginx leaves to the operating system and Kestrel.</summary>
    private static readonly string[] Tuning = ["reuseport", "deferred", "bind", "backlog", "rcvbuf", "sndbuf", "fastopen", "so_keepalive", "ipv6only", "accept_filter", "setfib"];

    public static ListenAddress? Read(NginxDirective directive, NginxConfProblems problems, AcceptedWithoutEffect accepted)
    {
        if (!DirectiveChecks.IsSimple(directive, 1, int.MaxValue, problems))
        {
            return null;
        }

        var address = directive.Arguments[0];
        if (!TryParse(address, out var url, out var port))
        {
            problems.Add(directive.Source, $"invalid address \"{address}\" in \"listen\": expected a port, address:port or [v6]:port");
            return null;
        }

        var isDefault = false;
        var valid = true;
        foreach (var parameter in directive.Arguments.Skip(1))
        {
            var name = parameter.Split('=')[0];
            if (parameter is "default_server" or "default")
            {
                isDefault = true;
            }
            else if (Tuning.Contains(name))
            {
                accepted.Add($"listen {name}");
            }
            else if (name is "ssl" or "http2" or "quic" or "proxy_protocol")
            {
                problems.Add(directive.Source, $"\"listen … {name}\": Ginx's public listener from an nginx configuration is plain HTTP; configure TLS in Kestrel's settings instead");
                valid = false;
            }
            else
            {
                problems.Add(directive.Source, $"invalid parameter \"{parameter}\" in \"listen\"");
                valid = false;
            }
        }

        return valid ? new ListenAddress(url, port, isDefault) : null;
    }

    private static bool TryParse(string address, out string url, out int port)
    {
        url = "";
        port = 0;
        if (address.StartsWith("unix:", StringComparison.Ordinal))
        {
            return false;
        }

        var host = "0.0.0.0";
        var portText = address;
        var colon = address.LastIndexOf(':');
        if (address.StartsWith('[') || colon >= 0)
        {
            var close = address.LastIndexOf(']');
            if (colon < close)
            {
                // "[::1]" alone: nginx's default port.
                host = address;
                portText = "80";
            }
            else
            {
                host = address[..colon];
                portText = address[(colon + 1)..];
            }

            host = host == "*" ? "0.0.0.0" : host;
        }
        else if (!address.All(char.IsAsciiDigit))
        {
            host = address;
            portText = "80";
        }

        if (host.Length == 0 || !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 0 or > 65535)
        {
            return false;
        }

        url = $"http://{host}:{port}";
        return Uri.TryCreate(url, UriKind.Absolute, out _);
    }
}
