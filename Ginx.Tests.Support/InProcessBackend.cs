using System.Text.Json.Nodes;
using Ginx.SampleBackend;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Ginx.Tests.Support;

/// <summary>
/// A real <see cref="SampleBackendApplication"/> hosted in the test process: the same endpoints,
/// chaos and stats as a replica of the topology, with its state reachable directly.
/// </summary>
internal sealed class InProcessBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _configurationFile;

    private InProcessBackend(string name, WebApplication app, string configurationFile)
    {
        Name = name;
        _app = app;
        _configurationFile = configurationFile;
        Address = TestApplication.Address(app);
    }

    public string Name { get; }

    public Uri Address { get; }

    public ChaosState Chaos => _app.Services.GetRequiredService<ChaosState>();

    public RequestStats Stats => _app.Services.GetRequiredService<RequestStats>();

    public static async Task<InProcessBackend> StartAsync(string name, CancellationToken cancellationToken)
    {
        var configuration = JsonNode.Parse($$"""{ "Backend": { "Name": "{{name}}" } }""")!.AsObject();
        var app = SampleBackendApplication.Build(TestApplication.CreateBuilder(configuration, out var configurationFile));
        await app.StartAsync(cancellationToken);
        return new InProcessBackend(name, app, configurationFile);
    }

    /// <summary>Starts <paramref name="count"/> backends named <c>{prefix}-1</c> … <c>{prefix}-N</c>.</summary>
    public static async Task<InProcessBackend[]> StartManyAsync(int count, CancellationToken cancellationToken, string prefix = "b") =>
        await Task.WhenAll(Enumerable.Range(1, count).Select(i => StartAsync($"{prefix}-{i}", cancellationToken)));

    /// <summary>Stops the backend: from now on its port refuses connections, like a dead server's.</summary>
    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        TestApplication.DeleteContentRoot(_configurationFile);
    }
}
