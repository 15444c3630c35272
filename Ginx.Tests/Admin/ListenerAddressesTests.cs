using Ginx.Proxy.Admin;
using Microsoft.Extensions.Configuration;

namespace Ginx.Tests.Admin;

public sealed class ListenerAddressesTests
{
    private static List<string> Public(params (string Key, string Value)[] settings) =>
        ListenerAddresses.Public(new ConfigurationBuilder()
                .AddInMemoryCollection(settings.Select(setting => KeyValuePair.Create(setting.Key, (string?)setting.Value)))
                .Build())
            .Select(address => address.ToString())
            .ToList();

    [Fact]
    public void Public_UrlsBesideAnHttp2KestrelEndpoint_BindsTheUrlsToo()
    {
        var addresses = Public(
            ("urls", "http://127.0.0.1:8080"),
            ("Kestrel:Endpoints:grpc:Url", "http://127.0.0.1:8081"),
            ("Kestrel:Endpoints:grpc:Protocols", "Http2"));

        Assert.Equal(["http://127.0.0.1:8080"], addresses);
    }

    [Fact]
    public void Public_UrlThatAKestrelEndpointNames_IsLeftToTheEndpoint()
    {
        var addresses = Public(
            ("urls", "http://127.0.0.1:8080;http://127.0.0.1:8081"),
            ("Kestrel:Endpoints:grpc:Url", "http://127.0.0.1:8081"));

        Assert.Equal(["http://127.0.0.1:8080"], addresses);
    }

    [Fact]
    public void Public_OnlyKestrelEndpoints_AddsNoDefault()
    {
        Assert.Empty(Public(("Kestrel:Endpoints:grpc:Url", "http://127.0.0.1:8081")));
    }

    [Fact]
    public void Public_NothingConfigured_IsKestrelsDefault()
    {
        Assert.Equal(["http://localhost:5000"], Public());
    }
}
