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

    /// <summary>
    /// The resource's last error line that says something (a stack trace's frames do not), or else
    /// its last line, without the timestamp the orchestrator puts in front; null if it wrote nothing.
    /// </summary>
    private async Task<string?> LastWordsAsync(string resourceId, CancellationToken cancellationToken)
    {
        string? lastError = null;
        string? last = null;
        await foreach (var batch in logs.GetAllAsync(resourceId).WithCancellation(cancellationToken))
        {
            foreach (var line in batch)
            {
                var content = WithoutTimestamp(line.Content).Trim();
                if (content.Length == 0)
                {
                    continue;
                }

                last = content;
                if (line.IsErrorMessage && !content.StartsWith("at ", StringComparison.Ordinal) && !content.StartsWith("---", StringComparison.Ordinal))
                {
                    lastError = content;
                }
            }
        }

        return lastError ?? last;
    }

    private static string WithoutTimestamp(string content)
    {
        var space = content.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 && DateTime.TryParse(content.AsSpan(0, space), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _)
            ? content[(space + 1)..]
            : content;
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
