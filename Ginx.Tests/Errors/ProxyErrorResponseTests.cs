using System.Net;
using System.Text.Json.Nodes;
using Ginx.Tests.Support;

namespace Ginx.Tests.Errors;

public sealed class ProxyErrorResponseTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static JsonObject Configuration(string destinationAddress) => new()
    {
        ["ReverseProxy"] = new JsonObject
        {
            ["Routes"] = new JsonObject
            {
                ["api"] = new JsonObject
                {
                    ["ClusterId"] = "api",
                    ["Match"] = new JsonObject { ["Path"] = "/api/{**rest}" },
                    ["Transforms"] = new JsonArray(new JsonObject { ["PathRemovePrefix"] = "/api" }),
                },
            },
            ["Clusters"] = new JsonObject
            {
                ["api"] = new JsonObject
                {
                    ["Destinations"] = new JsonObject
                    {
                        ["only"] = new JsonObject { ["Address"] = destinationAddress },
                    },
                },
            },
        },
    };

    [Fact]
    public async Task Request_NoMatchingRoute_Gets404Problem()
    {
        await using var proxy = await InProcessProxy.StartAsync(Configuration("http://127.0.0.1:1"), Cancellation);

        using var response = await proxy.Client.GetAsync("/not-routed", Cancellation);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Contains("/not-routed", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("https://tools.ietf.org/html/rfc9110#section-15.5.5", problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Request_EveryDestinationRefusesConnections_Gets503ProblemNamingClusterWithRetryAfter()
    {
        await using var proxy = await InProcessProxy.StartAsync(Configuration("http://127.0.0.1:1"), Cancellation);

        using var response = await proxy.Client.GetAsync("/api/orders", Cancellation);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("api", problem.GetProperty("cluster").GetString());
        Assert.Equal("https://tools.ietf.org/html/rfc9110#section-15.6.4", problem.GetProperty("type").GetString());
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task Request_DestinationAnswers_IsForwardedUntouched()
    {
        await using var backend = await InProcessBackend.StartAsync("only", Cancellation);
        await using var proxy = await InProcessProxy.StartAsync(Configuration(backend.Address.ToString()), Cancellation);

        using var response = await proxy.Client.GetAsync("/api/status/418", Cancellation);

        Assert.Equal((HttpStatusCode)418, response.StatusCode);
        Assert.Equal("only", Assert.Single(response.Headers.GetValues("X-Replica")));
    }
}
