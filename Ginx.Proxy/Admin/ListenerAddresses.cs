using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Ginx.Proxy.Admin;

/// <summary>
/// The URLs the public listener would have bound, and how to listen on a URL the way Kestrel does.
/// Ginx binds its listeners itself so it can tell admin connections from public ones; it honours
/// the usual settings (<c>--urls</c>, <c>ASPNETCORE_URLS</c>, <c>ASPNETCORE_HTTP_PORTS</c>) so
/// Aspire, launch profiles and containers keep working, and leaves <c>Kestrel:Endpoints</c> to Kestrel.
/// </summary>
internal static class ListenerAddresses
{
    private const string DefaultUrl = "http://localhost:5000";

    public static IReadOnlyList<string> Split(string? urls) =>
        (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static bool TryParse(string url, out BindingAddress address)
    {
        try
        {
            address = BindingAddress.Parse(url);
            return !string.IsNullOrEmpty(address.Host) || address.IsUnixPipe;
        }
        catch (FormatException)
        {
            address = null!;
            return false;
        }
    }

    /// <summary>
    /// The public listeners Ginx binds itself: the <c>urls</c> setting, else
    /// <c>http_ports</c>/<c>https_ports</c> (ASP.NET Core's order of precedence), else, when
    /// <c>Kestrel:Endpoints</c> names no listener either, Kestrel's default. Unlike Kestrel, which
    /// ignores these settings once <c>Kestrel:Endpoints</c> has an entry, Ginx binds them beside
    /// those entries (an HTTP/2-only one for gRPC beside Aspire's <c>ASPNETCORE_URLS</c>); a URL
    /// naming the same listener as an entry is left to the entry, whose protocols then apply.
    /// </summary>
    public static IReadOnlyList<BindingAddress> Public(IConfiguration configuration)
    {
        var kestrelEndpoints = new List<BindingAddress>();
        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
        {
            if (endpoint["Url"] is { } url && TryParse(url, out var address))
            {
                kestrelEndpoints.Add(address);
            }
        }

        var urls = Configured(configuration);
        if (urls.Count == 0 && kestrelEndpoints.Count == 0)
        {
            urls = [DefaultUrl];
        }

        var addresses = new List<BindingAddress>();
        foreach (var url in urls)
        {
            var address = BindingAddress.Parse(url);
            if (!kestrelEndpoints.Exists(endpoint => SameListener(endpoint, address)))
            {
                addresses.Add(address);
            }
        }

        return addresses;
    }

    private static IReadOnlyList<string> Configured(IConfiguration configuration)
    {
        var urls = Split(configuration[WebHostDefaults.ServerUrlsKey]);
        if (urls.Count > 0)
        {
            return urls;
        }

        var ports = new List<string>();
        foreach (var port in Split(configuration[WebHostDefaults.HttpPortsKey]?.Replace(',', ';')))
        {
            ports.Add($"http://*:{port}");
        }

        foreach (var port in Split(configuration[WebHostDefaults.HttpsPortsKey]?.Replace(',', ';')))
        {
            ports.Add($"https://*:{port}");
        }

        return ports;
    }

    /// <summary>
    /// Whether two URLs name the same listener: scheme, host and port, case aside. Port 0 asks for
    /// a port of the system's choosing, a different one each time, so it never names the same one.
    /// </summary>
    public static bool SameListener(BindingAddress a, BindingAddress b) =>
        a.Port != 0
        && string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port
        && a.IsUnixPipe == b.IsUnixPipe
        && (!a.IsUnixPipe || string.Equals(a.UnixPipePath, b.UnixPipePath, StringComparison.Ordinal));

    /// <summary>Listens on <paramref name="address"/> with the rules Kestrel applies to a URL.</summary>
    public static void Listen(KestrelServerOptions kestrel, BindingAddress address, Action<ListenOptions> configure)
    {
        var https = string.Equals(address.Scheme, "https", StringComparison.OrdinalIgnoreCase);
        void Configure(ListenOptions listen)
        {
            if (https)
            {
                listen.UseHttps();
            }

            configure(listen);
        }

        if (address.IsUnixPipe)
        {
            kestrel.ListenUnixSocket(address.UnixPipePath, Configure);
        }
        else if (string.Equals(address.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(address.Port, Configure);
        }
        else if (IPAddress.TryParse(address.Host.Trim('[', ']'), out var ip))
        {
            kestrel.Listen(ip, address.Port, Configure);
        }
        else
        {
            // "*", "+" and host names: Kestrel itself listens on every interface for these.
            kestrel.ListenAnyIP(address.Port, Configure);
        }
    }
}
