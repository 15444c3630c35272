namespace Ginx.Proxy.NginxConf;

/// <summary>An nginx configuration file as a configuration source, reloaded when it or an included file changes.</summary>
public sealed class NginxConfConfigurationSource(string path, NginxConfStatus status) : IConfigurationSource
{
    /// <summary>How long to let a burst of file events settle before reading, as the JSON source does.</summary>
    public TimeSpan ReloadDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <inheritdoc/>
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new NginxConfConfigurationProvider(path, status, ReloadDelay);
}
