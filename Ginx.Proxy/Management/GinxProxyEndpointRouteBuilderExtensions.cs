using Ginx.Proxy.Configuration;
using Ginx.Proxy.Forwarding;
using Ginx.Proxy.Retries;
using Ginx.Proxy.Telemetry;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps Ginx's proxy pipeline.</summary>
public static class GinxProxyEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps every configured route through Ginx's pipeline, and answers requests no route matches
    /// with a 404 problem. Loads the proxy configuration now, so an invalid one stops start-up.
    /// </summary>
    /// <exception cref="ProxyConfigurationException">The configuration is invalid; the message lists why.</exception>
    public static WebApplication MapGinxProxy(this WebApplication app)
    {
        try
        {
            app.MapReverseProxy(proxy =>
            {
                // First, so it records the final status of everything below, error answers included.
                proxy.UseMiddleware<ProxyTelemetryMiddleware>();
                proxy.UseMiddleware<ProxyErrorResponseMiddleware>();
                proxy.UseMiddleware<RetryMiddleware>();
                proxy.UseSessionAffinity();
                proxy.UseGinxLoadBalancing();
                proxy.UsePassiveHealthChecks();
            });
        }
        catch (InvalidOperationException exception)
        {
            throw ProxyConfigurationException.FromYarp(exception, ProxyConfigurationSection.Resolve(app.Configuration));
        }

        app.MapGinxAdmin();

        // A RequestDelegate, not a lambda with parameters: under Native AOT the request delegate
        // generator would map such a fallback at "{*path:nonfile}", ahead of every proxy route.
        app.MapFallback("{**path}", static context => TypedResults.Problem(
            title: "No route",
            detail: $"No route is configured for {context.Request.Method} {context.Request.Host}{context.Request.Path}.",
            statusCode: StatusCodes.Status404NotFound).ExecuteAsync(context));

        return app;
    }
}
