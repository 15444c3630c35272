namespace Ginx.Proxy.Admin;

/// <summary>The admin listener, from the <c>Ginx:Admin</c> configuration section.</summary>
public sealed class GinxAdminOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Ginx:Admin";

    /// <summary>
    /// Where the admin API (<c>/ginx/status</c>) listens, separated by <c>;</c>. Loopback only by
    /// default: the status API names every backend, which is not for the public. A URL that is also
    /// one of the public ones serves both.
    /// </summary>
    public string Urls { get; set; } = "http://127.0.0.1:9901";
}
