using Yarp.ReverseProxy.Forwarder;

namespace Ginx.Proxy.Upstream;

/// <summary>
/// Set by the load-balancing middleware when every available destination already holds its
/// <see cref="DestinationMetadata.MaxConns"/> requests. To YARP that is
/// <see cref="ForwarderError.NoAvailableDestinations"/>; its own type lets the error response say why.
/// </summary>
internal sealed class MaxConnsReachedErrorFeature : IForwarderErrorFeature
{
    public static readonly MaxConnsReachedErrorFeature Instance = new();

    public ForwarderError Error => ForwarderError.NoAvailableDestinations;

    public Exception? Exception => null;
}
