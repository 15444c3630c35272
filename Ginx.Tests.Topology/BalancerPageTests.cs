using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Ginx.AppHost;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Playwright;

namespace Ginx.Tests.Topology;

/// <summary>
/// The live balancer page in a real browser, over the running topology. With
/// <c>GINX_SCREENSHOTS=1</c> each test also saves what the page showed to <c>docs/</c>.
/// </summary>
[Collection(TopologyCollection.Name)]
public sealed class BalancerPageTests(GinxTopologyFixture topology, SystemChromium chromium) : IClassFixture<SystemChromium>
{
    private const string MainCluster = ProxyTopologyExtensions.ClusterId;
    private const string PeakEwmaCluster = "peak-ewma";

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Page_WithTraffic_ListsEveryReplicaWithAThirdOfTheRequests()
    {
        await using var browser = await OpenAsync();
        var page = browser.Pages[0];
        await WaitForAsync(page, """
            ({ cluster, names }) => names.every(name => document.querySelector(`section[data-cluster="${cluster}"] tr[data-destination="${name}"]`))
            """, new { cluster = MainCluster, names = topology.Replicas }, TimeSpan.FromSeconds(10), "the page lists every replica");

        await topology.ExecuteCommandAsync("proxy", TrafficCommands.Start, Cancellation);
        try
        {
            // Enough requests in the window for a share to mean something; shares are rounded to hundredths on the page, so their sum may miss 100 by a little.
            await WaitForAsync(page, """
                ({ cluster, count }) => {
                  const total = Number(document.querySelector(`section[data-cluster="${cluster}"] .total`).dataset.value);
                  const shares = [...document.querySelectorAll(`section[data-cluster="${cluster}"] td[data-field="share"]`)].map(cell => Number(cell.dataset.value));
                  const sum = shares.reduce((a, b) => a + b, 0);
                  return total >= 5 && shares.length === count && Math.abs(sum - 100) < 0.1 && shares.every(share => Math.abs(share - 100 / count) <= 10);
                }
                """, new { cluster = MainCluster, count = topology.Replicas.Count }, TimeSpan.FromSeconds(15),
                "each share bar is a third of the cluster's requests, give or take 10 points");
            await ScreenshotAsync(page, MainCluster, "balancer-page.png");

            // A phone's width: each destination a card, nothing to scroll sideways.
            await page.SetViewportSizeAsync(400, 800);
            await WaitForAsync(page, "() => document.documentElement.scrollWidth <= window.innerWidth", new { }, TimeSpan.FromSeconds(5),
                "the page fits a 400 px wide screen");
            await ScreenshotAsync(page, MainCluster, "balancer-page-narrow.png");
        }
        finally
        {
            await topology.ExecuteCommandAsync("proxy", TrafficCommands.Stop, CancellationToken.None);
        }
    }

    [Fact]
    public async Task Page_PeakEwmaWithAReplicaSlowed_ShowsItsShareFallAndItsP99Highest()
    {
        var slow = topology.Replicas[1];
        await using var browser = await OpenAsync();
        var page = browser.Pages[0];
        using var load = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        var sending = SendLoadAsync(GinxTopologyFixture.PeakEwmaHost, load.Token);
        try
        {
            await topology.ExecuteCommandAsync(slow, ChaosCommands.SlowDown, Cancellation);
            await WaitForAsync(page, """
                ({ cluster, slow }) => {
                  const rows = [...document.querySelectorAll(`section[data-cluster="${cluster}"] tr[data-destination]`)];
                  const value = (row, field) => row.querySelector(`td[data-field="${field}"]`).dataset.value;
                  const slowRow = rows.find(row => row.dataset.destination === slow);
                  const p99 = row => value(row, "p99") === "" ? -1 : Number(value(row, "p99"));
                  return slowRow && Number(value(slowRow, "share")) < 10 && p99(slowRow) > 0
                    && rows.every(row => row === slowRow || p99(row) < p99(slowRow));
                }
                """, new { cluster = PeakEwmaCluster, slow }, TimeSpan.FromSeconds(15),
                $"{slow} serves under 10 % of the PeakEwma cluster, with the highest p99");
            await ScreenshotAsync(page, PeakEwmaCluster, "balancer-page-slowed.png");

            await topology.ExecuteCommandAsync(slow, ChaosCommands.Heal, Cancellation);
            await WaitForAsync(page, """
                ({ cluster, slow }) => Number(document.querySelector(`section[data-cluster="${cluster}"] tr[data-destination="${slow}"] td[data-field="share"]`).dataset.value) >= 15
                """, new { cluster = PeakEwmaCluster, slow }, TimeSpan.FromSeconds(60), $"{slow}, healed, wins back a fair part of its share");
        }
        finally
        {
            await load.CancelAsync();
            await sending;
            await topology.ExecuteCommandAsync(slow, ChaosCommands.Heal, CancellationToken.None);
        }
    }

    [Fact]
    public async Task Page_ReplicaStopped_ShowsItUnhealthyWithTheReason_AndSoDoesItsResource()
    {
        var stopped = topology.Replicas[1];
        await using var browser = await OpenAsync();
        var page = browser.Pages[0];
        await topology.ExecuteCommandAsync("proxy", TrafficCommands.Start, Cancellation);
        try
        {
            await topology.StopReplicaAsync(stopped, Cancellation);

            var stoppedAt = TimeProvider.System.GetTimestamp();
            await WaitForAsync(page, """
                ({ cluster, stopped }) => {
                  const cell = document.querySelector(`section[data-cluster="${cluster}"] tr[data-destination="${stopped}"] td[data-field="health"]`);
                  return cell && cell.querySelector(".health").dataset.health === "unhealthy" && cell.querySelector(".why").textContent.length > 0;
                }
                """, new { cluster = MainCluster, stopped }, TimeSpan.FromSeconds(5), $"the page shows {stopped} unhealthy, and why");

            // The dashboard's resource model: the proxy's verdict as a health report on the replica.
            var remaining = TimeSpan.FromSeconds(5) - TimeProvider.System.GetElapsedTime(stoppedAt);
            var resource = await topology.App.ResourceNotifications.WaitForResourceAsync(stopped, change => change.Snapshot.HealthReports.Any(report =>
                    report.Name == ProxyViewPublisher.HealthReportName && report.Status == HealthStatus.Unhealthy
                    && report.Description?.StartsWith("proxy: unhealthy, ", StringComparison.Ordinal) == true), Cancellation)
                .WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, Cancellation);
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"{stopped}: {resource.Snapshot.HealthReports.Single(report => report.Name == ProxyViewPublisher.HealthReportName).Description}");
            await ScreenshotAsync(page, MainCluster, "balancer-page-stopped.png");
        }
        finally
        {
            await topology.ExecuteCommandAsync("proxy", TrafficCommands.Stop, CancellationToken.None);
            await topology.EnsureAllReplicasServeAsync(Cancellation);
        }

        // Taken back by the proxy, the replica is healthy in the dashboard again.
        await topology.App.ResourceNotifications.WaitForResourceAsync(stopped, change => change.Snapshot.HealthReports.Any(report =>
                report.Name == ProxyViewPublisher.HealthReportName && report.Status == HealthStatus.Healthy), Cancellation)
            .WaitAsync(TimeSpan.FromSeconds(10), Cancellation);
    }

    /// <summary>A browser context of its own, with the live page open in its one page.</summary>
    private async Task<IBrowserContext> OpenAsync()
    {
        var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(topology.AdminAddress, "/ginx/").ToString());
        return context;
    }

    /// <summary>Polls the page until <paramref name="predicate"/> (a JavaScript function of <paramref name="argument"/>) holds.</summary>
    private static async Task WaitForAsync(IPage page, string predicate, object argument, TimeSpan timeout, string what)
    {
        try
        {
            await page.WaitForFunctionAsync(predicate, argument, new PageWaitForFunctionOptions { Timeout = (float)timeout.TotalMilliseconds, PollingInterval = 200 });
        }
        catch (TimeoutException)
        {
            var shown = await page.Locator("main").InnerTextAsync();
            Assert.Fail($"Not within {timeout.TotalSeconds} s: {what}. The page showed:\n{shown}");
        }
    }

    /// <summary>Sends requests for <paramref name="host"/> from a few clients at once until cancelled.</summary>
    private async Task SendLoadAsync(string host, CancellationToken cancellationToken)
    {
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = host } };
                try
                {
                    using var response = await topology.Proxy.SendAsync(request, cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                }
            }
        }));
    }

    /// <summary>With <c>GINX_SCREENSHOTS=1</c>, saves the page's header and one cluster's section to <c>docs/</c>.</summary>
    private static async Task ScreenshotAsync(IPage page, string cluster, string file)
    {
        if (Environment.GetEnvironmentVariable("GINX_SCREENSHOTS") != "1")
        {
            return;
        }

        // Only the cluster shown: the others would make the picture tall and its point small.
        await page.EvaluateAsync("cluster => document.querySelectorAll('section[data-cluster]').forEach(s => s.hidden = s.dataset.cluster !== cluster)", cluster);
        var docs = Path.Combine(RepositoryRoot(), "docs");
        await page.Locator("body").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(docs, file) });
        await page.EvaluateAsync("() => document.querySelectorAll('section[data-cluster]').forEach(s => s.hidden = false)");
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Ginx.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Ginx.sln not found above the test's directory.");
    }
}
