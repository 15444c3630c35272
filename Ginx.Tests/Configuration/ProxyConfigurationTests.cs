using System.Text.Json.Nodes;
using Ginx.Proxy.Configuration;
using Ginx.Tests.Support;

namespace Ginx.Tests.Configuration;

public sealed class ProxyConfigurationTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static JsonObject Configuration(string policy, string path = "{**catch-all}", string address = "http://127.0.0.1:1") =>
        JsonNode.Parse($$"""
        {
          "ReverseProxy": {
            "Routes": { "all": { "ClusterId": "backend", "Match": { "Path": "{{path}}" } } },
            "Clusters": {
              "backend": {
                "LoadBalancingPolicy": "{{policy}}",
                "Destinations": { "one": { "Address": "{{address}}" } }
              }
            }
          }
        }
        """)!.AsObject();

    [Fact]
    public async Task Start_UnknownPolicy_FailsNamingClusterAndPolicy()
    {
        var exception = await Assert.ThrowsAsync<ProxyConfigurationException>(
            () => InProcessProxy.StartAsync(Configuration("NoSuchPolicy"), Cancellation));

        var problem = Assert.Single(exception.Problems);
        Assert.Contains("'NoSuchPolicy'", problem, StringComparison.Ordinal);
        Assert.Contains("'backend'", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_SeveralProblems_ReportsEveryOne()
    {
        var exception = await Assert.ThrowsAsync<ProxyConfigurationException>(
            () => InProcessProxy.StartAsync(Configuration("NoSuchPolicy", path: ""), Cancellation));

        Assert.Equal(2, exception.Problems.Count);
        Assert.Contains(exception.Problems, problem => problem.Contains("'all'", StringComparison.Ordinal));
        Assert.Contains(exception.Problems, problem => problem.Contains("'NoSuchPolicy'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_UnparsableValues_FailsNamingEveryKeyAndValue()
    {
        var configuration = Configuration("RoundRobin");
        var cluster = configuration["ReverseProxy"]!["Clusters"]!["backend"]!;
        cluster["HttpRequest"] = new JsonObject { ["ActivityTimeout"] = "30s" };
        cluster["HealthCheck"] = new JsonObject { ["Active"] = new JsonObject { ["Enabled"] = "yes" } };

        var exception = await Assert.ThrowsAsync<ProxyConfigurationException>(
            () => InProcessProxy.StartAsync(configuration, Cancellation));

        Assert.Equal(2, exception.Problems.Count);
        Assert.Contains(exception.Problems, problem =>
            problem.StartsWith("ReverseProxy:Clusters:backend:HttpRequest:ActivityTimeout = '30s' is not a duration", StringComparison.Ordinal));
        Assert.Contains(exception.Problems, problem =>
            problem.StartsWith("ReverseProxy:Clusters:backend:HealthCheck:Active:Enabled = 'yes' is not true or false", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_DestinationAddressNotAnAddress_FailsNamingTheDestination()
    {
        var exception = await Assert.ThrowsAsync<ProxyConfigurationException>(
            () => InProcessProxy.StartAsync(Configuration("RoundRobin", address: "localhost-5081"), Cancellation));

        var problem = Assert.Single(exception.Problems);
        Assert.StartsWith("ReverseProxy:Clusters:backend:Destinations:one:Address = 'localhost-5081' is not an absolute address", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_InvalidClusterMetadata_FailsNamingClusterKeyAndValue()
    {
        var configuration = Configuration("RoundRobin");
        configuration["ReverseProxy"]!["Clusters"]!["backend"]!["Metadata"] = new JsonObject { ["Tries"] = "0", ["RetryOn"] = "error, http_418" };

        var exception = await Assert.ThrowsAsync<ProxyConfigurationException>(
            () => InProcessProxy.StartAsync(configuration, Cancellation));

        Assert.Contains(exception.Problems, problem => problem.Contains("Cluster 'backend'", StringComparison.Ordinal)
            && problem.Contains("Metadata:Tries = '0'", StringComparison.Ordinal));
        Assert.Contains(exception.Problems, problem => problem.Contains("Metadata:RetryOn", StringComparison.Ordinal)
            && problem.Contains("'http_418'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_InvalidDefaults_FailsNamingTheFullKey()
    {
        var configuration = Configuration("RoundRobin");
        configuration["Ginx"] = new JsonObject { ["PassiveHealth"] = new JsonObject { ["MaxEjectionPercent"] = "150" } };

        var exception = await Assert.ThrowsAsync<ProxyConfigurationException>(
            () => InProcessProxy.StartAsync(configuration, Cancellation));

        var problem = Assert.Single(exception.Problems);
        Assert.Contains("Ginx:PassiveHealth:MaxEjectionPercent = '150'", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Retries", "Tries", "abc", "Failed to convert configuration value 'abc' at 'Ginx:Retries:Tries'")]
    [InlineData("Retries", "Tries", "99999999999", "Failed to convert configuration value '99999999999' at 'Ginx:Retries:Tries'")]
    [InlineData("Retries", "TryTimeout", "02:00:00", "Ginx:Retries:TryTimeout = '02:00:00': The field TryTimeout must be between 00:00:00.001 and 01:00:00.")]
    [InlineData("Retries", "TryTimeout", "00:00:00.0005", "Ginx:Retries:TryTimeout = '00:00:00.0005': The field TryTimeout must be between 00:00:00.001 and 01:00:00.")]
    [InlineData("PassiveHealth", "FailTimeout", "00:00:00", "Ginx:PassiveHealth:FailTimeout = '00:00:00': The field FailTimeout must be between 00:00:00.010 and 01:00:00.")]
    public async Task Start_DefaultOutOfRangeOrUnconvertible_FailsNamingTheKeyAndValue(string section, string key, string value, string expected)
    {
        var configuration = Configuration("RoundRobin");
        configuration["Ginx"] = new JsonObject { [section] = new JsonObject { [key] = value } };

        var exception = await Assert.ThrowsAsync<ProxyConfigurationException>(
            () => InProcessProxy.StartAsync(configuration, Cancellation));

        var problem = Assert.Single(exception.Problems);
        Assert.StartsWith(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reload_Invalid_IsRejectedAndPreviousConfigurationKeepsServing()
    {
        await using var backend = await InProcessBackend.StartAsync("one", Cancellation);
        await using var proxy = await InProcessProxy.StartAsync(Configuration("RoundRobin", address: backend.Address.ToString()), Cancellation);

        var applied = await proxy.ReconfigureAsync(Configuration("NoSuchPolicy", address: backend.Address.ToString()), Cancellation);

        Assert.False(applied);
        using var response = await proxy.Client.GetAsync("/", Cancellation);
        response.EnsureSuccessStatusCode();
        Assert.Equal("one", Assert.Single(response.Headers.GetValues("X-Replica")));
    }
}
