using Ginx.Proxy.Configuration;

namespace Ginx.Proxy.NginxConf;

/// <summary>
/// What became of the nginx configuration file, for the application to act on: a file rejected at
/// start-up stops the proxy; one rejected on a reload is logged while the last good one keeps serving.
/// Configuration providers have no logger, so they report here.
/// </summary>
public sealed class NginxConfStatus(string path)
{
    private IReadOnlyList<string>? _startupProblems;

    /// <summary>The file, as the user named it.</summary>
    public string Path { get; } = path;

    /// <summary>Raised when a load succeeded, with the directives accepted without effect.</summary>
    public event Action<IReadOnlyList<string>>? Applied;

    /// <summary>Raised when a reload was rejected, with its problems.</summary>
    public event Action<IReadOnlyList<string>>? ReloadRejected;

    /// <summary>The directives the last good load accepted without effect.</summary>
    public IReadOnlyList<string> AcceptedWithoutEffect { get; private set; } = [];

    /// <summary>Throws when the file could not be used at start-up.</summary>
    /// <exception cref="ProxyConfigurationException">The problems, one per line.</exception>
    public void ThrowIfRejectedAtStartup()
    {
        if (_startupProblems is { } problems)
        {
            throw new ProxyConfigurationException(problems);
        }
    }

    internal void ReportApplied(IReadOnlyList<string> acceptedWithoutEffect)
    {
        _startupProblems = null;
        AcceptedWithoutEffect = acceptedWithoutEffect;
        Applied?.Invoke(acceptedWithoutEffect);
    }

    internal void ReportRejected(IReadOnlyList<string> problems, bool atStartup)
    {
        if (atStartup)
        {
            _startupProblems = problems;
        }
        else
        {
            ReloadRejected?.Invoke(problems);
        }
    }
}
