using Yarp.ReverseProxy.Forwarder;

namespace Ginx.Proxy.Upstream;

/// <summary>
/// What one forwarding attempt came to, from the destination's point of view: the fact that both
/// passive health and retries judge it by, read once from what YARP left on the context. It keeps
/// the forwarding error it was read from, for the error answer and the request's record: looking the
/// error up is a feature lookup that misses on every answered request, and each miss costs as much
/// as a dozen hits (Kestrel falls through to the connection's features).
/// </summary>
/// <param name="Verdict">How the attempt ended.</param>
/// <param name="Condition">The retry condition it met, if any.</param>
/// <param name="NeverReachedDestination">Whether its connection was never established.</param>
/// <param name="Error">The forwarding error that counts against it (<see cref="ForwarderErrors.Of"/>); null if none.</param>
internal readonly record struct AttemptResult(
    AttemptVerdict Verdict, RetryConditions Condition, bool NeverReachedDestination, IForwarderErrorFeature? Error)
{
    /// <summary>Whether the destination is to blame: a transport failure, a timeout or a 5xx answer.</summary>
    public bool IsDestinationFailure => Verdict is AttemptVerdict.TransportFailure or AttemptVerdict.ServerError;

    /// <summary>Reads the attempt that just ran on <paramref name="context"/>.</summary>
    public static AttemptResult Of(HttpContext context)
    {
        var error = ForwarderErrors.Of(context);
        switch (error?.Error ?? ForwarderError.None)
        {
            case ForwarderError.None:
                var status = context.Response.StatusCode;
                return new AttemptResult(
                    status >= StatusCodes.Status500InternalServerError ? AttemptVerdict.ServerError : AttemptVerdict.Answered,
                    RetryConditionNames.ForStatus(status),
                    NeverReachedDestination: false,
                    error);

            case ForwarderError.RequestTimedOut:
                return new AttemptResult(AttemptVerdict.TransportFailure, RetryConditions.Timeout, NeverReachedDestination: false, error);

            case ForwarderError.Request:
            case ForwarderError.RequestBodyDestination:
            case ForwarderError.ResponseBodyDestination:
            case ForwarderError.ResponseHeaders:
            case ForwarderError.UpgradeRequestDestination:
            case ForwarderError.UpgradeResponseDestination:
                return new AttemptResult(AttemptVerdict.TransportFailure, RetryConditions.Error, IsConnectFailure(error!.Exception), error);

            default:
                // The client went away, sent a broken body, or no destination was tried: nothing
                // to hold against a destination, and nothing another one would do better.
                return new AttemptResult(AttemptVerdict.NotTheDestinationsFault, RetryConditions.None, NeverReachedDestination: false, error);
        }
    }

    // A connection that was never established carried no byte of the request, so even a
    // non-idempotent request can safely go elsewhere.
    private static bool IsConnectFailure(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError })
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>How an attempt ended.</summary>
internal enum AttemptVerdict
{
    /// <summary>The destination answered below 500.</summary>
    Answered,

    /// <summary>The destination answered 500 or above.</summary>
    ServerError,

    /// <summary>The destination could not be reached, reset the connection, broke off or timed out.</summary>
    TransportFailure,

    /// <summary>The attempt failed for a reason that is not the destination's.</summary>
    NotTheDestinationsFault,
}
