using Ginx.Proxy.Admin;
using Ginx.Proxy.Configuration;
using Ginx.Proxy.Telemetry;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps Ginx's admin API.</summary>
public static class GinxAdminEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>GET /ginx/status</c>, served on the admin listener only. Validates the admin options
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
                (IProxyStateLookup state, DestinationCounters counters, IDestinationBalancingStatus balancing) =>
                    ProxyStatusEndpoint.Report(state, counters, balancing))
            .WithMetadata(AdminEndpointMetadata.Instance)
            .WithName("GinxStatus");

        return app;
    }
}
