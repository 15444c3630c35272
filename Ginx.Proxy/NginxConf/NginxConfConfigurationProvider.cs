using Ginx.Proxy.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;

namespace Ginx.Proxy.NginxConf;

/// <summary>
/// Gives the translation of an nginx configuration file as configuration keys: the routes and
/// clusters under <see cref="NginxConfSettings.ReverseProxySection"/> (which it names as the proxy's
/// section), Ginx's settings, <c>urls</c>. It watches the file and what it includes; a change that
/// does not translate keeps the last good keys, as a bad JSON reload keeps the last good routes.
/// </summary>
internal sealed class NginxConfConfigurationProvider : ConfigurationProvider, IDisposable
{
    private readonly string _path;
    private readonly NginxConfStatus _status;
    private readonly TimeSpan _reloadDelay;
    private readonly Dictionary<string, PhysicalFileProvider> _watchers = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private IDisposable? _watch;
    private bool _loaded;
    private bool _disposed;

    public NginxConfConfigurationProvider(string path, NginxConfStatus status, TimeSpan reloadDelay)
    {
        _path = path;
        _status = status;
        _reloadDelay = reloadDelay;
    }

    public override void Load()
    {
        lock (_gate)
        {
            var load = NginxConfLoader.Load(_path);
            Watch(load);
            if (load.Translation is not { } translation)
            {
                if (!_loaded)
                {
                    // Nothing to serve, but the proxy's section is still this one, never appsettings.json's example.
                    Data = Keys(null);
                }

                _status.ReportRejected(load.Problems, atStartup: !_loaded);
                return;
            }

            _loaded = true;
            Data = Keys(translation);
            _status.ReportApplied(translation.AcceptedWithoutEffect);
        }
    }

    private static Dictionary<string, string?> Keys(NginxConfTranslation? translation)
    {
        var keys = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            [ProxyConfigurationSection.OverrideKey] = NginxConfSettings.ReverseProxySection,
        };
        if (translation is null)
        {
            return keys;
        }

        foreach (var (key, value) in translation.Keys(NginxConfSettings.ReverseProxySection))
        {
            keys[key] = value;
        }

        return keys;
    }

    // Every file read, and every wildcard include (a file added under it is a change too).
    private void Watch(NginxConfLoad load)
    {
        _watch?.Dispose();
        if (_disposed)
        {
            return;
        }

        var tokens = new List<IChangeToken>();
        foreach (var path in load.FilesRead.Concat(load.IncludePatterns).Append(Path.GetFullPath(_path)).Distinct())
        {
            var directory = Path.GetDirectoryName(path);
            if (directory is null || !Directory.Exists(directory))
            {
                continue;
            }

            if (!_watchers.TryGetValue(directory, out var watcher))
            {
                _watchers[directory] = watcher = new PhysicalFileProvider(directory);
            }

            tokens.Add(watcher.Watch(Path.GetFileName(path)));
        }

        _watch = new CompositeChangeToken(tokens).RegisterChangeCallback(_ => _ = ReloadAsync(), null);
    }

    private async Task ReloadAsync()
    {
        await Task.Delay(_reloadDelay).ConfigureAwait(false);
        var before = Data;
        Load();
        if (!ReferenceEquals(before, Data))
        {
            OnReload();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _watch?.Dispose();
            foreach (var watcher in _watchers.Values)
            {
                watcher.Dispose();
            }
        }
    }
}
