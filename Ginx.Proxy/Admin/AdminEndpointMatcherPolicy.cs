using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;
using Ginx.Proxy.Upstream;

namespace Ginx.Proxy.Admin;

/// <summary>
/// Keeps each listener to its own endpoints, by the listener the connection arrived on. On the
/// public listener admin endpoints are out of routing, so <c>/ginx/status</c> is an ordinary path:
/// proxied like any other, or a 404. On the admin listener the proxy's routes are out, so opening
/// it to a monitoring network does not open the proxy there: a request falls through to the 404
/// of no route. Health endpoints serve both.
/// </summary>
/// <remarks>
/// A branch of the routing tree, decided once per request by the connection's listener, rather
/// than an endpoint selector: a selector made every proxied request take routing's slower path
/// (its candidates copied into a set, each policy asked, the set scored) to rule out nothing.
/// </remarks>
internal sealed class AdminEndpointMatcherPolicy : MatcherPolicy, INodeBuilderPolicy
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

    public IReadOnlyList<PolicyNodeEdge> GetEdges(IReadOnlyList<Endpoint> endpoints)
    {
        var publicEndpoints = new List<Endpoint>();
        var adminEndpoints = new List<Endpoint>();
        foreach (var endpoint in endpoints)
        {
            var listener = ListenerOf(endpoint);
            if (listener != Listener.Admin)
            {
                publicEndpoints.Add(endpoint);
            }

            if (listener != Listener.Public)
            {
                adminEndpoints.Add(endpoint);
            }
        }

        return [new PolicyNodeEdge(Listener.Public, publicEndpoints), new PolicyNodeEdge(Listener.Admin, adminEndpoints)];
    }

    public PolicyJumpTable BuildJumpTable(int exitDestination, IReadOnlyList<PolicyJumpTableEdge> edges)
    {
        int publicDestination = exitDestination, adminDestination = exitDestination;
        foreach (var edge in edges)
        {
            if ((Listener)edge.State == Listener.Public)
            {
                publicDestination = edge.Destination;
            }
            else
            {
                adminDestination = edge.Destination;
            }
        }

        return new ListenerJumpTable(publicDestination, adminDestination);
    }

    private static Listener ListenerOf(Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<AdminEndpointMetadata>() is not null ? Listener.Admin
        : ProxyRouteEndpoint.Is(endpoint) ? Listener.Public
        : Listener.Any;

    private enum Listener
    {
        Any,
        Public,
        Admin,
    }

    private sealed class ListenerJumpTable(int publicDestination, int adminDestination) : PolicyJumpTable
    {
        public override int GetDestination(HttpContext httpContext) =>
            AdminListener.IsAdminConnection(httpContext) ? adminDestination : publicDestination;
    }
}
