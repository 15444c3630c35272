using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Ginx.Tests.Support;

/// <summary>
/// A bare Kestrel destination for what the sample backend does not do: every request is answered by
/// the handler the test gives, and counted.
/// </summary>
internal sealed class InProcessDestination : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _configurationFile;
    private int _requests;

    private InProcessDestination(WebApplication app, string configurationFile)
    {
        _app = app;
        _configurationFile = configurationFile;
    }

    public Uri Address => TestApplication.Address(_app);

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Starts a destination speaking <paramref name="protocols"/> (Kestrel's names: <c>Http2</c> for HTTP/2 only).</summary>
    public static async Task<InProcessDestination> StartAsync(RequestDelegate handler, CancellationToken cancellationToken, string protocols = "Http1AndHttp2")
    {
        var builder = TestApplication.CreateBuilder(
            new JsonObject { ["Kestrel"] = new JsonObject { ["EndpointDefaults"] = new JsonObject { ["Protocols"] = protocols } } },
            out var configurationFile);
        var app = builder.Build();
        var destination = new InProcessDestination(app, configurationFile);
        app.Run(context =>
        {
            Interlocked.Increment(ref destination._requests);
            return handler(context);
        });
        await app.StartAsync(cancellationToken);
        return destination;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        TestApplication.DeleteContentRoot(_configurationFile);
    }
}
