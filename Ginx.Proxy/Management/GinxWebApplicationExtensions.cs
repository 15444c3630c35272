using Ginx.Proxy.Admin;
using Ginx.Proxy.Configuration;
using Ginx.Proxy.Errors;
using Ginx.Proxy.Management;
using Ginx.Proxy.Telemetry;
using Ginx.Proxy.Upstream;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.LoadBalancing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps Ginx's proxy pipeline and its admin API.</summary>
public static class GinxWebApplicationExtensions
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
                // The pipeline's order, in one place. First the one step that awaits the rest: the
                // request's attempts, then its error answer and its record, which sees the final
                // status of everything below. The steps below it run once per attempt.
                proxy.UseMiddleware<ProxyRequestMiddleware>();
                proxy.UseSessionAffinity();
                proxy.UseGinxLoadBalancing();
            });
        }
        catch (InvalidOperationException exception)
        {
            throw ProxyConfigurationException.FromYarp(exception, ProxyConfigurationSection.Resolve(app.Configuration));
        }

        app.MapGinxAdmin();

        // After routing (the host runs it first), rather than a fallback endpoint: such an endpoint
        // matched every path, so each proxied request weighed two routing candidates instead of one.
        app.Use(static (context, next) => context.GetEndpoint() is null ? AnswerNoRoute(context) : next(context));

        return app;
    }

    /// <summary>
    /// Answers a failure with a problem, never with a stack trace. Proxied requests skip this handler:
    /// the proxy's request step answers their failures itself, and the handler's frame cost each of
    /// them as much as that step's whole error check.
    /// </summary>
    public static WebApplication UseGinxExceptionHandler(this WebApplication app)
    {
        app.UseWhen(static context => !ProxyRouteEndpoint.Is(context.GetEndpoint()), static others => others.UseExceptionHandler());
        return app;
    }

    private static Task AnswerNoRoute(HttpContext context) => ProblemAnswer.WriteAsync(
        context,
        StatusCodes.Status404NotFound,
        "No route",
        $"No route is configured for {context.Request.Method} {context.Request.Host}{context.Request.Path}.");

    /// <summary>
    /// Maps <c>GET /ginx/status</c> and the live page over it, <c>GET /ginx/</c>, served on the admin listener only. Validates the admin options
    /// now, so a bad <c>Ginx:Admin:Urls</c> stops start-up like any other configuration problem.
    /// </summary>
    /// <exception cref="ProxyConfigurationException">The admin options are invalid; the message names the key.</exception>
    public static WebApplication MapGinxAdmin(this WebApplication app)
    {
        try
        {
            _ = app.Services.GetRequiredService<IOptions<GinxAdminOptions>>().Value;
        }
        catch (OptionsValidationException exception)
        {
            throw new ProxyConfigurationException(exception.Failures.ToList(), exception);
        }

        app.MapGet(ProxyStatusEndpoint.Path,
                (IProxyStateLookup state, IEnumerable<ILoadBalancingPolicy> policies, DestinationCounters counters, TimeProvider time) =>
                    ProxyStatusEndpoint.Report(state, policies, counters, time))
            .WithMetadata(AdminEndpointMetadata.Instance)
            .WithName("GinxStatus");

        app.MapGet(BalancerPage.Path, BalancerPage.Serve)
            .WithMetadata(AdminEndpointMetadata.Instance)
            .WithName("GinxBalancerPage");

        return app;
    }
}
