using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;

namespace Ginx.Proxy.Admin;

/// <summary>
/// Takes admin endpoints out of routing for requests that did not arrive on the admin listener, so
/// on the public listener <c>/ginx/status</c> is an ordinary path: proxied like any other, or a 404.
/// Routing asks only for the paths admin endpoints match, so other requests pay nothing.
/// </summary>
internal sealed class AdminEndpointMatcherPolicy : MatcherPolicy, IEndpointSelectorPolicy
{
    public override int Order => 0;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints)
    {
        for (var i = 0; i < endpoints.Count; i++)
        {
            if (endpoints[i].Metadata.GetMetadata<AdminEndpointMetadata>() is not null)
            {
                return true;
            }
        }

        return false;
    }

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        if (AdminListener.IsAdminConnection(httpContext))
        {
            return Task.CompletedTask;
        }

        for (var i = 0; i < candidates.Count; i++)
        {
            if (candidates[i].Endpoint.Metadata.GetMetadata<AdminEndpointMetadata>() is not null)
            {
                candidates.SetValidity(i, false);
            }
        }

        return Task.CompletedTask;
    }
}
