using System.Reflection;
using Ginx.Proxy.NginxConf;
using Microsoft.Extensions.Logging.Abstractions;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Ginx.Tests.NginxConf;

public sealed class ConnectTimeoutHttpClientFactoryTests
{
    private readonly ConnectTimeoutHttpClientFactory _factory = new(NullLogger<ForwarderHttpClientFactory>.Instance);

    private static Dictionary<string, string> ConnectTimeout(string value) => new() { [ConnectTimeoutHttpClientFactory.MetadataKey] = value };

    private static ForwarderHttpClientContext Context(IReadOnlyDictionary<string, string>? metadata, HttpMessageInvoker? oldClient = null, IReadOnlyDictionary<string, string>? oldMetadata = null) => new()
    {
        ClusterId = "c",
        OldConfig = HttpClientConfig.Empty,
        NewConfig = HttpClientConfig.Empty,
        OldMetadata = oldMetadata,
        NewMetadata = metadata,
        OldClient = oldClient,
    };

    // The handler inside the invoker, which the factory does not wrap.
    private static SocketsHttpHandler Handler(HttpMessageInvoker invoker) =>
        (SocketsHttpHandler)typeof(HttpMessageInvoker).GetField("_handler", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(invoker)!;

    [Fact]
    public void CreateClient_ConnectTimeoutMetadata_IsTheHandlersConnectTimeout()
    {
        using var client = _factory.CreateClient(Context(ConnectTimeout("00:00:00.5")));

        Assert.Equal(TimeSpan.FromMilliseconds(500), Handler(client).ConnectTimeout);
    }

    [Fact]
    public void CreateClient_NoConnectTimeout_KeepsYarpsDefault()
    {
        using var client = _factory.CreateClient(Context(metadata: null));
        using var yarps = new ForwarderHttpClientFactory().CreateClient(Context(metadata: null));

        Assert.Equal(Handler(yarps).ConnectTimeout, Handler(client).ConnectTimeout);
    }

    [Fact]
    public void CreateClient_OnlyTheConnectTimeoutChanged_CreatesANewClient()
    {
        using var old = _factory.CreateClient(Context(ConnectTimeout("00:00:05")));

        using var changed = _factory.CreateClient(Context(ConnectTimeout("00:00:02"), old, ConnectTimeout("00:00:05")));
        var same = _factory.CreateClient(Context(ConnectTimeout("00:00:05"), old, ConnectTimeout("00:00:05")));

        Assert.NotSame(old, changed);
        Assert.Same(old, same);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("00:00:00")]
    [InlineData("-00:00:01")]
    public async Task Validator_NotAPositiveDuration_IsRejected(string value)
    {
        var errors = new List<Exception>();

        await new ConnectTimeoutHttpClientFactory.Validator().ValidateAsync(new ClusterConfig { ClusterId = "c", Metadata = ConnectTimeout(value) }, errors);

        Assert.Equal($"Cluster 'c': metadata 'ConnectTimeout' = '{value}' is not a positive duration such as '00:00:05'.", Assert.Single(errors).Message);
    }
}
