using Yarp.ReverseProxy.Forwarder;

namespace Ginx.Proxy.Upstream;

/// <summary>
/// Set by the load-balancing middleware when it answers 503 itself, with no destination to try:
/// none is available or accepts connections, or every one already holds its
/// <see cref="DestinationMetadata.MaxConns"/> requests. To YARP both are
/// <see cref="ForwarderError.NoAvailableDestinations"/>; <see cref="AllAtMaxConns"/> lets the error
/// response say which. One instance each: nothing to allocate per request.
/// </summary>
internal sealed class NoDestinationErrorFeature : IForwarderErrorFeature
{
    public static readonly NoDestinationErrorFeature NoneAvailable = new(allAtMaxConns: false);

    public static readonly NoDestinationErrorFeature AtMaxConns = new(allAtMaxConns: true);

    private NoDestinationErrorFeature(bool allAtMaxConns) => AllAtMaxConns = allAtMaxConns;

    /// <summary>Whether destinations were available but all at their MaxConns.</summary>
    public bool AllAtMaxConns { get; }

    public ForwarderError Error => ForwarderError.NoAvailableDestinations;

    public Exception? Exception => null;
}
