using System.Globalization;

namespace Ginx.Proxy.NginxConf;

/// <summary>
/// A server address as nginx writes it in <c>upstream</c> and <c>proxy_pass</c>: <c>host</c>,
/// <c>host:port</c>, <c>[v6]:port</c>, the port 80 when none is given. Unix sockets are refused.
/// </summary>
internal static class UpstreamAddress
{
    /// <summary>The <c>host:port</c> authority of <paramref name="text"/>, or why it is not one.</summary>
    public static bool TryParse(string text, out string authority, out string? error)
    {
        authority = "";
        error = null;
        if (text.StartsWith("unix:", StringComparison.Ordinal))
        {
            error = $"\"{text}\": Ginx does not connect to unix sockets; give host:port";
            return false;
        }

        if (text.Contains('$', StringComparison.Ordinal))
        {
            error = $"\"{text}\": Ginx does not resolve variables in addresses; give host:port";
            return false;
        }

        var withPort = Uri.TryCreate("http://" + text, UriKind.Absolute, out var uri)
            && uri.PathAndQuery == "/" && uri.UserInfo.Length == 0 && uri.Fragment.Length == 0;
        if (!withPort || uri!.Host.Length == 0 || text.EndsWith(':'))
        {
            error = $"\"{text}\" is not an address such as 127.0.0.1:8080";
            return false;
        }

        authority = uri.Host + ":" + uri.Port.ToString(CultureInfo.InvariantCulture);
        return true;
    }
}
