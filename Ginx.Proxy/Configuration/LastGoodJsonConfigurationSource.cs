using Microsoft.Extensions.Configuration.Json;

namespace Ginx.Proxy.Configuration;

/// <summary>
/// A JSON file as the host reads it (same path, optional or not, reload on change, file provider),
/// except that a reload which cannot be used keeps the last good keys: see
/// <see cref="LastGoodJsonConfigurationProvider"/>.
/// </summary>
public sealed class LastGoodJsonConfigurationSource : JsonConfigurationSource
{
    /// <summary>Takes over <paramref name="source"/>'s file and settings.</summary>
    /// <param name="source">The host's source for the file.</param>
    /// <param name="status">Where refused and recovered reloads are reported.</param>
    /// <param name="proxySection">The name of the section the proxy reads routes from, at the time of a reload.</param>
    public LastGoodJsonConfigurationSource(JsonConfigurationSource source, ConfigurationFileStatus status, Func<string> proxySection)
    {
        Path = source.Path ?? throw new ArgumentException("A JSON configuration source names its file.", nameof(source));
        Optional = source.Optional;
        ReloadOnChange = source.ReloadOnChange;
        ReloadDelay = source.ReloadDelay;
        FileProvider = source.FileProvider;
        Status = status;
        ProxySection = proxySection;
    }

    internal ConfigurationFileStatus Status { get; }

    internal Func<string> ProxySection { get; }

    /// <inheritdoc/>
    public override IConfigurationProvider Build(IConfigurationBuilder builder)
    {
        EnsureDefaults(builder);
        return new LastGoodJsonConfigurationProvider(this);
    }
}
