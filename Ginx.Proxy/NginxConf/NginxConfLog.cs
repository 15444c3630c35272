using Ginx.Proxy.Utilities;

namespace Ginx.Proxy.NginxConf;

/// <summary>
/// Logs what became of the nginx configuration file: once per good load, what was accepted without
/// effect; for a rejected reload, one error with every problem, the last good file serving on.
/// </summary>
internal sealed partial class NginxConfLog(NginxConfStatus status, ILogger<NginxConfLog> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        LogApplied(status.AcceptedWithoutEffect);
        status.Applied += LogApplied;
        status.ReloadRejected += LogRejected;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        status.Applied -= LogApplied;
        status.ReloadRejected -= LogRejected;
        return Task.CompletedTask;
    }

    private void LogApplied(IReadOnlyList<string> accepted)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            LogRead(logger, status.Path, accepted.Count == 0 ? "none" : string.Join(", ", accepted));
        }
    }

    private void LogRejected(IReadOnlyList<string> problems) =>
        LogReloadRejected(logger, status.Path, string.Concat(problems.Select(problem => Environment.NewLine + "  - " + problem)));

    [LoggerMessage(EventId = EventIds.NginxConfApplied, Level = LogLevel.Information,
        Message = "nginx configuration {Path} applied; accepted without effect: {Accepted}")]
    private static partial void LogRead(ILogger logger, string path, string accepted);

    [LoggerMessage(EventId = EventIds.NginxConfReloadRejected, Level = LogLevel.Error,
        Message = "nginx configuration {Path} rejected; the previous configuration keeps serving:{Problems}")]
    private static partial void LogReloadRejected(ILogger logger, string path, string problems);
}
