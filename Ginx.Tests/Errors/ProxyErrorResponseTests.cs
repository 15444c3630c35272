using System.Net;
using System.Text.Json.Nodes;
using Ginx.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Ginx.Tests.Errors;

public sealed class ProxyErrorResponseTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static JsonObject Configuration(string destinationAddress, string policy = "PowerOfTwoChoices") => new()
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
                    ["LoadBalancingPolicy"] = policy,
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

    [Fact]
    public async Task Request_TheProxyItselfFails_Gets500ProblemWithoutAStackTrace_AndTheFailureIsLoggedWithOne()
    {
        await using var backend = await InProcessBackend.StartAsync("only", Cancellation);
        await using var proxy = await InProcessProxy.StartAsync(
            Configuration(backend.Address.ToString(), ThrowingPolicy.PolicyName),
            Cancellation,
            services => services
                .AddSingleton<ILoadBalancingPolicy, ThrowingPolicy>()
                .AddLogging(logging => logging.AddFakeLogging()));

        using var response = await proxy.Client.GetAsync("/api/orders", Cancellation);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.InternalServerError);
        Assert.Equal("Proxy failure", problem.GetProperty("title").GetString());
        Assert.Equal("api", problem.GetProperty("cluster").GetString());
        Assert.DoesNotContain(ThrowingPolicy.Message, problem.GetRawText(), StringComparison.Ordinal);
        var logged = Assert.Single(proxy.Services.GetFakeLogCollector().GetSnapshot(), record => record.Level == LogLevel.Error);
        Assert.Contains("'api'", logged.Message, StringComparison.Ordinal);
        Assert.Equal(ThrowingPolicy.Message, logged.Exception?.Message);
    }

    /// <summary>A policy with a bug: an exception inside the proxy pipeline, before anything was forwarded.</summary>
    private sealed class ThrowingPolicy : ILoadBalancingPolicy
    {
        public const string PolicyName = "Throwing";

        public const string Message = "A bug in a balancing policy.";

        public string Name => PolicyName;

        public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations) =>
            throw new InvalidOperationException(Message);
    }
}
