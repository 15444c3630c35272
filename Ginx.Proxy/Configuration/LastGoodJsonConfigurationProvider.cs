using System.Text.Json;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Primitives;

namespace Ginx.Proxy.Configuration;

/// <summary>
/// Reads a JSON file as the host's provider does, but a reload that finds the file missing, empty or
/// not JSON, or that would take away every route the file gave the proxy, keeps the last good keys
/// (routes, clusters, Ginx's settings, log levels) and is reported once until the file is good again.
/// The host's provider drops every key instead: a deploy that removes the file and copies the new
/// one in would leave the proxy without routes for that moment, answering 404.
/// </summary>
internal sealed class LastGoodJsonConfigurationProvider : ConfigurationProvider, IDisposable
{
    private readonly LastGoodJsonConfigurationSource _source;
    private readonly IDisposable? _watch;
    private readonly Lock _gate = new();
    private bool _rejecting;

    public LastGoodJsonConfigurationProvider(LastGoodJsonConfigurationSource source)
    {
        _source = source;
        if (source is { ReloadOnChange: true, FileProvider: { } files, Path: { } path })
        {
            _watch = ChangeToken.OnChange(() => files.Watch(path), () => _ = ReloadAsync());
        }
    }

    private string Path => _source.Path ?? "";

    private string FullPath => _source.FileProvider?.GetFileInfo(Path).PhysicalPath ?? Path;

    /// <summary>At start-up, as the host's provider: a missing optional file is no keys, anything else unusable stops the start.</summary>
    public override void Load()
    {
        lock (_gate)
        {
            var (keys, problem) = Read();
            if (problem is null)
            {
                Data = keys!;
            }
            else if (problem.Missing && _source.Optional)
            {
                Data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            }
            else
            {
                throw new InvalidDataException($"Failed to load configuration from file '{FullPath}': {problem.Reason}.", problem.Exception);
            }
        }
    }

    private async Task ReloadAsync()
    {
        await Task.Delay(_source.ReloadDelay).ConfigureAwait(false);
        lock (_gate)
        {
            var (keys, problem) = Read();
            var reason = problem?.Reason ?? RouteLoss(keys!);
            if (reason is not null)
            {
                if (!_rejecting)
                {
                    _rejecting = true;
                    _source.Status.ReportRejected(FullPath, reason);
                }

                return;
            }

            Data = keys!;
            if (_rejecting)
            {
                _rejecting = false;
                _source.Status.ReportRecovered(FullPath);
            }
        }

        OnReload();
    }

    private (IDictionary<string, string?>? Keys, ReadProblem? Problem) Read()
    {
        var file = _source.FileProvider?.GetFileInfo(Path);
        if (file is null || !file.Exists)
        {
            return (null, new ReadProblem("the file is missing", Missing: true));
        }

        try
        {
            using var stream = file.CreateReadStream();
            if (stream.Length == 0)
            {
                return (null, new ReadProblem("the file is empty"));
            }

            return (JsonKeys.Parse(stream), null);
        }
        catch (Exception exception) when (exception is JsonException or FormatException)
        {
            return (null, new ReadProblem($"it is not valid JSON ({Innermost(exception).Message.TrimEnd('.')})", Exception: exception));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return (null, new ReadProblem($"it cannot be read ({exception.Message.TrimEnd('.')})", Exception: exception));
        }
    }

    // A file that gave the proxy routes and now gives none is a file caught half-edited, not a wish
    // to stop serving: the proxy would answer every request 404.
    private string? RouteLoss(IDictionary<string, string?> keys)
    {
        var routes = _source.ProxySection() + ConfigurationPath.KeyDelimiter + "Routes" + ConfigurationPath.KeyDelimiter;
        bool HasRoutes(IDictionary<string, string?> data) => data.Keys.Any(key => key.StartsWith(routes, StringComparison.OrdinalIgnoreCase));
        return HasRoutes(Data) && !HasRoutes(keys) ? $"it leaves {_source.ProxySection()} with no route" : null;
    }

    private static Exception Innermost(Exception exception) => exception.InnerException is { } inner ? Innermost(inner) : exception;

    public void Dispose() => _watch?.Dispose();

    private sealed record ReadProblem(string Reason, bool Missing = false, Exception? Exception = null);

    // The host's JSON parser is internal; its stream provider is the public way to it.
    private sealed class JsonKeys() : JsonStreamConfigurationProvider(new JsonStreamConfigurationSource())
    {
        public static IDictionary<string, string?> Parse(Stream stream)
        {
            var parser = new JsonKeys();
            parser.Load(stream);
            return parser.Data;
        }
    }
}
