using Yarp.ReverseProxy.Forwarder;

namespace Ginx.Proxy.Upstream;

/// <summary>
/// The forwarding error that counts against a request. YARP also reports a request body it could
/// not send in full after the destination's whole answer has been passed on: over HTTP/2 in
/// particular, a destination may answer an upload it has not read (401, 413) and reset the stream
/// to stop it. The client gets that answer, so for retries, passive health, error answers and
/// telemetry the request was answered, not failed (YARP still logs the error as a warning).
/// </summary>
internal static class ForwarderErrors
{
    /// <summary>The error on <paramref name="context"/>, or null if there is none or it only cut short an upload that was answered.</summary>
    public static IForwarderErrorFeature? Of(HttpContext context)
    {
        var error = context.Features.Get<IForwarderErrorFeature>();
        return error?.Error is ForwarderError.RequestBodyClient or ForwarderError.RequestBodyDestination or ForwarderError.RequestBodyCanceled
            && context.Features.Get<ProxyAttemptFeature>() is { } attempts && AnswerIntact(context, attempts)
            ? null
            : error;
    }

    // The same errors also come when the answer itself broke after the body did: YARP then replaces
    // the answer with its own status (502, 400, 504) or, once the answer has started, resets the
    // connection. Only an answer still standing as the destination gave it was delivered.
    private static bool AnswerIntact(HttpContext context, ProxyAttemptFeature attempts) =>
        attempts.DestinationAnswered
        && context.Response.StatusCode == attempts.AnsweredStatus
        && !context.RequestAborted.IsCancellationRequested;
}
