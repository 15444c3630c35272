using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Ginx.Tests.NginxConf;

public sealed class ClientAddressHeaderTransformFactoryTests
{
    private static ITransformBuilder TransformBuilder()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddReverseProxy().AddGinxNginxEquivalents();
        return services.BuildServiceProvider().GetRequiredService<ITransformBuilder>();
    }

    private static RouteConfig Route(Dictionary<string, string> transform) =>
        new() { RouteId = "r", ClusterId = "c", Match = new RouteMatch { Path = "/{**all}" }, Transforms = [transform] };

    [Fact]
    public async Task RequestHeaderClientAddress_SetsTheHeaderToTheClientsAddress_ReplacingWhatTheClientSent()
    {
        var transformer = TransformBuilder().Build(Route(new Dictionary<string, string> { ["RequestHeaderClientAddress"] = "X-Real-IP" }), cluster: null);
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse("192.0.2.7");
        context.Request.Headers["X-Real-IP"] = "10.0.0.1";
        using var proxyRequest = new HttpRequestMessage();

        await transformer.TransformRequestAsync(context, proxyRequest, "http://destination/", TestContext.Current.CancellationToken);

        Assert.Equal(["192.0.2.7"], proxyRequest.Headers.GetValues("X-Real-IP"));
    }

    [Fact]
    public void RequestHeaderClientAddress_WithAnotherKey_IsRejected()
    {
        var errors = TransformBuilder().ValidateRoute(Route(new Dictionary<string, string> { ["RequestHeaderClientAddress"] = "X-Real-IP", ["Set"] = "x" }));

        Assert.Equal("The transform 'RequestHeaderClientAddress' takes one header name and nothing else.", Assert.Single(errors).Message);
    }
}
