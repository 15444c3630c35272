using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ginx.AppHost;

/// <summary>
/// Says on the AppHost's console, in one line, when a resource fails to start or exits, with its
/// exit code and why: its last error line, or else its last line. Without it the console goes
/// quiet after "Distributed application started" while, say, the proxy lies dead on a taken port.
/// </summary>
internal sealed partial class ResourceExitLog(
    ResourceNotificationService notifications, ResourceLoggerService logs, ILogger<ResourceExitLog> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var states = new Dictionary<string, string?>();
        try
        {
            await foreach (var change in notifications.WatchAsync(stoppingToken))
            {
                var state = change.Snapshot.State?.Text;
                var before = states.GetValueOrDefault(change.ResourceId);
                states[change.ResourceId] = state;
                if (state == before || (state != KnownResourceStates.FailedToStart && state != KnownResourceStates.Exited && state != KnownResourceStates.Finished))
                {
                    continue;
                }

                var reason = await LastWordsAsync(change.ResourceId, stoppingToken) ?? "it wrote nothing";
                var what = state == KnownResourceStates.FailedToStart ? "failed to start" : "exited";
                LogExited(logger, change.Resource.Name, what, change.Snapshot.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none", reason);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>The resource's last error line, or its last line; null if it wrote nothing.</summary>
    private async Task<string?> LastWordsAsync(string resourceId, CancellationToken cancellationToken)
    {
        LogLine? lastError = null;
        LogLine? last = null;
        await foreach (var batch in logs.GetAllAsync(resourceId).WithCancellation(cancellationToken))
        {
            foreach (var line in batch)
            {
                if (string.IsNullOrWhiteSpace(line.Content))
                {
                    continue;
                }

                last = line;
                if (line.IsErrorMessage)
                {
                    lastError = line;
                }
            }
        }

        return (lastError ?? last)?.Content.Trim();
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Resource '{Resource}' {What} (exit code {ExitCode}): {Reason}")]
    private static partial void LogExited(ILogger logger, string resource, string what, string exitCode, string reason);
}

/// <summary>Registers <see cref="ResourceExitLog"/>.</summary>
internal static class ResourceExitLogExtensions
{
    public static IDistributedApplicationBuilder WithResourceExitLog(this IDistributedApplicationBuilder builder)
    {
        builder.Services.AddHostedService<ResourceExitLog>();
        return builder;
    }
}
