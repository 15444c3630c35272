namespace Ginx.Proxy.NginxConf;

/// <summary>One <c>server</c> of an <c>upstream</c> block, with its parameters as nginx defaults them.</summary>
internal sealed record UpstreamServer(string Authority, NginxSource Source)
{
    /// <summary>nginx's <c>max_fails</c> default.</summary>
    public const int DefaultMaxFails = 1;

    /// <summary>nginx's <c>fail_timeout</c> default.</summary>
    public static readonly TimeSpan DefaultFailTimeout = TimeSpan.FromSeconds(10);

    public int Weight { get; init; } = 1;

    public int MaxFails { get; init; } = DefaultMaxFails;

    public TimeSpan FailTimeout { get; init; } = DefaultFailTimeout;

    public bool Backup { get; init; }

    public bool Down { get; init; }

    /// <summary>0: unlimited.</summary>
    public int MaxConns { get; init; }

    public TimeSpan SlowStart { get; init; }
}
