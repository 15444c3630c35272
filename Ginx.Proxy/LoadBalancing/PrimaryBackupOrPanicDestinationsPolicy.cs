using Ginx.Proxy.Upstream;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.LoadBalancing;

/// <summary>
/// Applies <see cref="DestinationMetadata.Down"/> and <see cref="DestinationMetadata.Backup"/> on top
/// of health: see <see cref="GinxAvailableDestinationsPolicies.PrimaryBackupOrPanic"/>. YARP calls it
/// only when health or destinations change, so none of this is paid per request. It is also where a
/// destination's return to service is noticed, which starts its slow start.
/// </summary>
internal sealed class PrimaryBackupOrPanicDestinationsPolicy(TimeProvider time) : IAvailableDestinationsPolicy
{
    public string Name => GinxAvailableDestinationsPolicies.PrimaryBackupOrPanic;

    public IReadOnlyList<DestinationState> GetAvailalableDestinations(ClusterConfig config, IReadOnlyList<DestinationState> allDestinations)
    {
        var primaries = new List<DestinationState>();
        var backups = new List<DestinationState>();
        var notDown = new List<DestinationState>();
        foreach (var destination in allDestinations)
        {
            if (DestinationAvailability.IsDown(destination))
            {
                continue;
            }

            notDown.Add(destination);
            if (!DestinationAvailability.FailedByHealthCheck(destination, config))
            {
                (DestinationSettings.Of(destination).Backup ? backups : primaries).Add(destination);
            }
        }

        var available = primaries.Count > 0 ? primaries : backups.Count > 0 ? backups : notDown;

        var now = time.GetTimestamp();
        foreach (var destination in allDestinations)
        {
            DestinationRuntime.Of(destination).MarkAvailability(available.Contains(destination), now);
        }

        return available;
    }
}
