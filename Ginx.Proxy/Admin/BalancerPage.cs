namespace Ginx.Proxy.Admin;

/// <summary>
/// <c>GET /ginx/</c>: the live balancer page, one self-contained HTML file embedded in the assembly
/// (no CDN, fonts or scripts from elsewhere: the proxy's machine may have no internet). It polls
/// <see cref="ProxyStatusEndpoint.Path"/> every second.
/// </summary>
internal static class BalancerPage
{
    /// <summary>The route, which matches with or without the trailing slash.</summary>
    public const string Path = "/ginx";

    // Everything the page needs is inline; the policy keeps it that way.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:";

    private static readonly Lazy<byte[]> Html = new(Load);

    public static IResult Serve(HttpContext context)
    {
        // Without its slash, the page's relative link to the status API would miss.
        if (!context.Request.Path.Value!.EndsWith('/'))
        {
            return Results.Redirect($"{context.Request.PathBase}{Path}/");
        }

        var headers = context.Response.Headers;
        headers.CacheControl = "no-cache";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        return Results.Bytes(Html.Value, "text/html; charset=utf-8");
    }

    private static byte[] Load()
    {
        using var stream = typeof(BalancerPage).Assembly.GetManifestResourceStream(typeof(BalancerPage).FullName + ".html")
            ?? throw new InvalidOperationException("The balancer page is missing from the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
