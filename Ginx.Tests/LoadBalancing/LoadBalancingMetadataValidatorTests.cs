using Ginx.Proxy.LoadBalancing;
using Ginx.Proxy.Upstream;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace Ginx.Tests.LoadBalancing;

public sealed class LoadBalancingMetadataValidatorTests
{
    public static TheoryData<string, string> BadValues => new()
    {
        { "Weight", "abc" },
        { "Weight", "0" },
        { "Weight", "1001" },
        { "MaxConns", "0" },
        { "MaxConns", "-3" },
        { "SlowStart", "soon" },
        { "SlowStart", "-00:00:05" },
        { "Backup", "yes" },
        { "Down", "maybe" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public async Task ValidateAsync_BadDestinationValue_NamesClusterDestinationKeyAndValue(string key, string value)
    {
        var errors = await ValidateAsync(new ClusterConfig
        {
            ClusterId = "shop",
            Destinations = new Dictionary<string, DestinationConfig>
            {
                ["good"] = new() { Address = "http://good.test", Metadata = new Dictionary<string, string> { ["Weight"] = "3" } },
                ["bad"] = new() { Address = "http://bad.test", Metadata = new Dictionary<string, string> { [key] = value } },
            },
        });

        var message = Assert.Single(errors).Message;
        Assert.Contains("'shop'", message, StringComparison.Ordinal);
        Assert.Contains("'bad'", message, StringComparison.Ordinal);
        Assert.Contains($"'{key}'", message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("header:")]
    [InlineData("body:x")]
    [InlineData("ip")]
    [InlineData("")]
    public async Task ValidateAsync_BadHashKey_NamesClusterKeyAndValue(string value)
    {
        var errors = await ValidateAsync(new ClusterConfig
        {
            ClusterId = "shop",
            Metadata = new Dictionary<string, string> { [HashKey.MetadataKey] = value },
        });

        var message = Assert.Single(errors).Message;
        Assert.Contains("'shop'", message, StringComparison.Ordinal);
        Assert.Contains($"'{HashKey.MetadataKey}' = '{value}'", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidateAsync_EveryKeyValid_NoError()
    {
        var errors = await ValidateAsync(new ClusterConfig
        {
            ClusterId = "shop",
            Metadata = new Dictionary<string, string> { [HashKey.MetadataKey] = "cookie:session" },
            Destinations = new Dictionary<string, DestinationConfig>
            {
                ["a"] = new()
                {
                    Address = "http://a.test",
                    Metadata = new Dictionary<string, string>
                    {
                        ["Weight"] = "5", ["MaxConns"] = "100", ["SlowStart"] = "00:00:30", ["Backup"] = "false", ["Down"] = "False",
                    },
                },
            },
        });

        Assert.Empty(errors);
    }

    [Fact]
    public void DestinationSettings_NewModel_IsParsedAgain()
    {
        var first = new DestinationModel(new DestinationConfig { Address = "http://a.test", Metadata = new Dictionary<string, string> { ["Weight"] = "2" } });
        var reloaded = new DestinationModel(new DestinationConfig { Address = "http://a.test", Metadata = new Dictionary<string, string> { ["Weight"] = "7" } });

        Assert.Equal(2, DestinationSettings.Of(first).Weight);
        Assert.Same(DestinationSettings.Of(first), DestinationSettings.Of(first));
        Assert.Equal(7, DestinationSettings.Of(reloaded).Weight);
    }

    private static async Task<List<Exception>> ValidateAsync(ClusterConfig cluster)
    {
        var errors = new List<Exception>();
        await new LoadBalancingMetadataValidator().ValidateAsync(cluster, errors);
        return errors;
    }
}
