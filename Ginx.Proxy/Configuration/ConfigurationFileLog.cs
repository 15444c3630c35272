using Ginx.Proxy.Utilities;
using Microsoft.Extensions.Hosting;

namespace Ginx.Proxy.Configuration;

/// <summary>
/// Logs a JSON configuration file's refused reload (one error naming the file and the reason, while
/// the last good configuration keeps serving) and its return (once, when it is good again).
/// </summary>
internal sealed partial class ConfigurationFileLog(ConfigurationFileStatus status, ILogger<ConfigurationFileLog> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        status.Rejected += LogRejected;
        status.Recovered += LogRecovered;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        status.Rejected -= LogRejected;
        status.Recovered -= LogRecovered;
        return Task.CompletedTask;
    }

    private void LogRejected(string path, string reason) => LogFileRejected(logger, path, reason);

    private void LogRecovered(string path) => LogFileApplied(logger, path);

    [LoggerMessage(EventId = EventIds.ConfigurationFileRejected, Level = LogLevel.Error,
        Message = "Configuration file {Path} not applied: {Reason}; the last good configuration keeps serving")]
    private static partial void LogFileRejected(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = EventIds.ConfigurationFileApplied, Level = LogLevel.Information,
        Message = "Configuration file {Path} is valid again and applied")]
    private static partial void LogFileApplied(ILogger logger, string path);
}
