using System.Text.Json.Nodes;
using Ginx.Proxy.Configuration;
using Ginx.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Ginx.Tests.Configuration;

/// <summary>
/// A configuration file caught missing, empty, half-written or without its routes, as deploy
/// scripts leave it for a moment: under steady load the proxy keeps its last good configuration,
/// fails no request, and logs one error per bad state and one line when the file is good again.
/// </summary>
public sealed class LastGoodJsonReloadTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public Task Reload_FileDeletedAndRecreatedAfterAMoment_KeepsServing() =>
        UnderLoadAsync(async (file, saved, logs) =>
        {
            File.Delete(file);

            // The deploy script's gap: rm appsettings.json; sleep 0.6; cp saved.json appsettings.json.
            await Task.Delay(TimeSpan.FromSeconds(0.6), Cancellation);
            await Eventually.HoldsAsync(() => Errors(logs).Count == 1, Timeout, "the missing file logged as an error");
            Assert.Contains("the file is missing", Errors(logs)[0].Message, StringComparison.Ordinal);
            await File.WriteAllTextAsync(file, saved, Cancellation);
        });

    [Fact]
    public Task Reload_FileTruncatedThenRewritten_KeepsServing() =>
        UnderLoadAsync(async (file, saved, logs) =>
        {
            await File.WriteAllTextAsync(file, "", Cancellation);
            await Eventually.HoldsAsync(() => Errors(logs).Count == 1, Timeout, "the empty file logged as an error");
            Assert.Contains("the file is empty", Errors(logs)[0].Message, StringComparison.Ordinal);
            await File.WriteAllTextAsync(file, saved, Cancellation);
        });

    [Fact]
    public Task Reload_HalfWrittenJsonForSecondsThenWhole_KeepsServing() =>
        UnderLoadAsync(async (file, saved, logs) =>
        {
            // A slow copy: ever longer prefixes of the file, each invalid JSON, over two seconds.
            for (var part = 1; part < 10; part++)
            {
                await File.WriteAllTextAsync(file, saved[..(saved.Length * part / 10)], Cancellation);
                await Task.Delay(TimeSpan.FromSeconds(0.2), Cancellation);
            }

            await Eventually.HoldsAsync(() => Errors(logs).Count >= 1, Timeout, "the half-written file logged as an error");
            Assert.Contains("not valid JSON", Errors(logs)[0].Message, StringComparison.Ordinal);
            await File.WriteAllTextAsync(file, saved, Cancellation);
        });

    [Fact]
    public async Task Reload_EveryRouteRemoved_IsRefused_AndAValidChangeStillApplies()
    {
        var backends = await InProcessBackend.StartManyAsync(2, Cancellation);
        await using var _ = new AsyncDisposables(backends);
        await using var proxy = await StartAsync(backends);
        var logs = proxy.Services.GetFakeLogCollector();

        var withoutRoutes = ProxyConfigurations.OneCluster(backends);
        withoutRoutes["ReverseProxy"]!.AsObject().Remove("Routes");
        await File.WriteAllTextAsync(proxy.ConfigurationFile, withoutRoutes.ToJsonString(), Cancellation);

        await Eventually.HoldsAsync(() => Errors(logs).Count == 1, Timeout, "the file without routes logged as an error");
        Assert.Contains("it leaves ReverseProxy with no route", Errors(logs)[0].Message, StringComparison.Ordinal);
        using (var response = await proxy.Client.GetAsync("/", Cancellation))
        {
            Assert.True(response.IsSuccessStatusCode, $"Answered {(int)response.StatusCode} after the refused reload.");
        }

        var last = backends[^1];
        Assert.True(await proxy.ReconfigureAsync(ProxyConfigurations.OneCluster([last]), Cancellation));
        using var changed = await proxy.Client.GetAsync("/", Cancellation);
        Assert.Equal(last.Name, changed.Headers.GetValues("X-Replica").Single());
        Assert.Single(Recoveries(logs));
    }

    private static async Task UnderLoadAsync(Func<string, string, FakeLogCollector, Task> badState)
    {
        var backends = await InProcessBackend.StartManyAsync(2, Cancellation);
        await using var _ = new AsyncDisposables(backends);
        await using var proxy = await StartAsync(backends);
        var logs = proxy.Services.GetFakeLogCollector();
        var saved = await File.ReadAllTextAsync(proxy.ConfigurationFile, Cancellation);

        var load = new LoadRunner();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        var running = load.RunAsync(proxy.Client, clients: 4, "/", stop.Token);
        await Eventually.HoldsAsync(() => load.Requests > 50, Timeout, "the load under way");

        await badState(proxy.ConfigurationFile, saved, logs);

        await Eventually.HoldsAsync(() => Recoveries(logs).Count == 1, Timeout, "the good file logged as applied again");
        var before = load.Requests;
        await Eventually.HoldsAsync(() => load.Requests > before + 50, Timeout, "requests served after the file came back");
        await stop.CancelAsync();
        await running.WaitAsync(Timeout, Cancellation);

        Assert.Empty(load.Failures);
        Assert.Single(Errors(logs));
        Assert.Single(Recoveries(logs));
    }

    private static Task<InProcessProxy> StartAsync(IEnumerable<InProcessBackend> backends)
    {
        var configuration = ProxyConfigurations.OneCluster(backends);

        // The recovery is logged at Information; everything else as quietly as the other tests.
        configuration["Logging"] = JsonNode.Parse($$"""{ "LogLevel": { "Default": "Warning", "{{typeof(ConfigurationFileLog).FullName}}": "Information" } }""");
        return InProcessProxy.StartAsync(configuration, Cancellation, services => services.AddLogging(logging => logging.AddFakeLogging()));
    }

    private static List<FakeLogRecord> Errors(FakeLogCollector logs) => Of(logs, LogLevel.Error);

    private static List<FakeLogRecord> Recoveries(FakeLogCollector logs) => Of(logs, LogLevel.Information);

    private static List<FakeLogRecord> Of(FakeLogCollector logs, LogLevel level) =>
        logs.GetSnapshot().Where(record => record.Category == typeof(ConfigurationFileLog).FullName && record.Level == level).ToList();
}
