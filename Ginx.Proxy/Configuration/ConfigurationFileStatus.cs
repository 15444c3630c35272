namespace Ginx.Proxy.Configuration;

/// <summary>
/// What became of the JSON configuration files' reloads, for the log to say: configuration
/// providers have no logger, and they reload before the host that has one is built.
/// </summary>
public sealed class ConfigurationFileStatus
{
    /// <summary>Raised when a file's reload was refused, with the file and the reason; once per bad state.</summary>
    public event Action<string, string>? Rejected;

    /// <summary>Raised when a file refused before is good again and applied.</summary>
    public event Action<string>? Recovered;

    internal void ReportRejected(string path, string reason) => Rejected?.Invoke(path, reason);

    internal void ReportRecovered(string path) => Recovered?.Invoke(path);
}
