using System.Collections.Immutable;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Ginx.AppHost;

/// <summary>
/// Shows on every replica's resource what the proxy sees of it: every <see cref="Interval"/> it
/// reads the proxy's status API and publishes the replica's share, requests/s and p99 of the last
/// 10 s as properties, and the proxy's verdict as a health report named <see cref="HealthReportName"/>.
/// The report is published directly, not run as a health check: Aspire checks a healthy resource
/// only every 30 s, and the proxy's view should show within seconds.
/// </summary>
/// <remarks>
/// Healthy while the proxy has no view (not running yet, not answering): the proxy waits for its
/// replicas to be healthy before it starts, so a verdict left over from a proxy that has stopped
/// must not hold it back.
/// </remarks>
internal sealed class ProxyViewPublisher(
    ProjectResource proxy,
    IReadOnlyList<ProjectResource> replicas,
    ResourceNotificationService notifications,
    TimeProvider time) : BackgroundService
{
    /// <summary>The health report on each replica.</summary>
    public const string HealthReportName = "proxy-view";

    /// <summary>How often the proxy's status is read.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private const string NoView = "the proxy has no view of it yet";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var status = await ReadStatusAsync(client, stoppingToken);
            var cluster = status?.Clusters.FirstOrDefault(cluster => cluster.Id == ProxyTopologyExtensions.ClusterId);
            foreach (var replica in replicas)
            {
                var destination = cluster?.Destinations.FirstOrDefault(destination => destination.Name == replica.Name);
                await PublishAsync(replica, destination is null ? ProxyView.None : ProxyView.Of(destination));
            }
        }
    }

    private async Task<ProxyStatusSnapshot?> ReadStatusAsync(HttpClient client, CancellationToken cancellationToken)
    {
        if (!notifications.TryGetCurrentState(proxy.Name, out var state) || state.Snapshot.State?.Text != KnownResourceStates.Running)
        {
            return null;
        }

        try
        {
            var admin = proxy.GetEndpoint(ProxyAdminExtensions.EndpointName);
            return await client.GetFromJsonAsync<ProxyStatusSnapshot>(
                new Uri(new Uri(admin.Url), "/ginx/status"), JsonSerializerOptions.Web, cancellationToken);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException
                                          && !cancellationToken.IsCancellationRequested)
        {
            // Starting, stopping, or busy: the view is unknown for now, which is no verdict on the replicas.
            return null;
        }
    }

    private async Task PublishAsync(ProjectResource replica, ProxyView view)
    {
        // Compared with what the resource shows, not with what was last sent: a restart of the
        // replica may have replaced its health reports since.
        if (notifications.TryGetCurrentState(replica.Name, out var current) && view.IsShownOn(current.Snapshot))
        {
            return;
        }

        await notifications.PublishUpdateAsync(replica, snapshot => (snapshot with
        {
            Properties = Replace(snapshot.Properties, view.Properties()),
        }).WithHealthReports(Replace(snapshot.HealthReports, new HealthReportSnapshot(HealthReportName, view.Status, view.Description, null))));
    }

    private static ImmutableArray<ResourcePropertySnapshot> Replace(
        ImmutableArray<ResourcePropertySnapshot> properties, IReadOnlyList<ResourcePropertySnapshot> replacements) =>
        [.. properties.Where(property => replacements.All(replacement => replacement.Name != property.Name)), .. replacements];

    private static ImmutableArray<HealthReportSnapshot> Replace(
        ImmutableArray<HealthReportSnapshot> reports, HealthReportSnapshot replacement) =>
        [.. reports.Where(report => report.Name != replacement.Name), replacement];

    /// <summary>What the proxy says of one replica, as the dashboard shows it.</summary>
    private sealed record ProxyView(HealthStatus Status, string Description, string Share, string Rate, string P99)
    {
        public static readonly ProxyView None = new(HealthStatus.Healthy, NoView, "—", "—", "—");

        public static ProxyView Of(ProxyDestinationSnapshot destination) => new(
            destination.Health switch
            {
                "unhealthy" => HealthStatus.Unhealthy,
                // Taken out on purpose: not broken, yet the proxy sends it nothing.
                "down" => HealthStatus.Degraded,
                _ => HealthStatus.Healthy,
            },
            destination.HealthReason is null ? $"proxy: {destination.Health}" : $"proxy: {destination.Health}, {destination.HealthReason}",
            string.Create(CultureInfo.InvariantCulture, $"{destination.SharePercent:0.#} %"),
            string.Create(CultureInfo.InvariantCulture, $"{destination.RequestsPerSecond:0.#}"),
            destination.P99Ms is { } p99 ? string.Create(CultureInfo.InvariantCulture, $"{p99:0.#} ms") : "—");

        public bool IsShownOn(CustomResourceSnapshot snapshot) =>
            snapshot.HealthReports.Any(report => report.Name == HealthReportName && report.Status == Status && report.Description == Description)
            && Properties().All(property => snapshot.Properties.Any(shown => shown.Name == property.Name && Equals(shown.Value, property.Value)));

        public IReadOnlyList<ResourcePropertySnapshot> Properties() =>
        [
            new("Proxy share (10 s)", Share),
            new("Proxy requests/s (10 s)", Rate),
            new("Proxy p99 (10 s)", P99),
            new("Proxy health", Description),
        ];
    }
}
