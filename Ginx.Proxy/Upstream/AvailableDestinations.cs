using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.Upstream;

/// <summary>Whether balancing may pick a destination now.</summary>
internal static class AvailableDestinations
{
    public static bool Contains(ClusterState cluster, DestinationState destination)
    {
        var available = cluster.DestinationsState.AvailableDestinations;
        for (var i = 0; i < available.Count; i++)
        {
            if (ReferenceEquals(available[i], destination))
            {
                return true;
            }
        }

        return false;
    }
}
