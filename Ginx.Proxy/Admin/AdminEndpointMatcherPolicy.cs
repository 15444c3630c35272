using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;
using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.Admin;

/// <summary>
/// Keeps each listener to its own endpoints, by the listener the connection arrived on. On the
/// public listener admin endpoints are out of routing, so <c>/ginx/status</c> is an ordinary path:
/// proxied like any other, or a 404. On the admin listener the proxy's routes are out, so opening
/// it to a monitoring network does not open the proxy there: a request falls through to the 404
/// of no route. Health endpoints and that fallback serve both.
/// </summary>
internal sealed class AdminEndpointMatcherPolicy : MatcherPolicy, IEndpointSelectorPolicy
{
    public override int Order => 0;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints)
    {
        for (var i = 0; i < endpoints.Count; i++)
        {
            if (ListenerOf(endpoints[i]) != Listener.Any)
            {
                return true;
            }
        }

        return false;
    }

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        var other = AdminListener.IsAdminConnection(httpContext) ? Listener.Public : Listener.Admin;
        for (var i = 0; i < candidates.Count; i++)
        {
            if (ListenerOf(candidates[i].Endpoint) == other)
            {
                candidates.SetValidity(i, false);
            }
        }

        return Task.CompletedTask;
    }

    private static Listener ListenerOf(Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<AdminEndpointMetadata>() is not null ? Listener.Admin
        : endpoint.Metadata.GetMetadata<RouteModel>() is not null ? Listener.Public
        : Listener.Any;

    private enum Listener
    {
        Any,
        Public,
        Admin,
    }
}
