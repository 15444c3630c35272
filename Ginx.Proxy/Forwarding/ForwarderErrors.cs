using Ginx.Proxy.Retries;
using Yarp.ReverseProxy.Forwarder;

namespace Ginx.Proxy.Forwarding;

/// <summary>
/// The forwarding error that counts against a request. YARP also reports a request body it could
/// not send in full after the destination has answered: over HTTP/2 a destination may answer an
/// upload it has not read (401, 413) and reset the stream to stop it. The client gets that answer,
/// so for retries, passive health, error answers and telemetry the request was answered, not failed.
/// </summary>
internal static class ForwarderErrors
{
    /// <summary>The error on <paramref name="context"/>, or null if there is none or it came after the destination's answer.</summary>
    public static IForwarderErrorFeature? Of(HttpContext context)
    {
        var error = context.Features.Get<IForwarderErrorFeature>();
        return error?.Error is ForwarderError.RequestBodyClient or ForwarderError.RequestBodyDestination or ForwarderError.RequestBodyCanceled
            && context.Features.Get<RetryState>() is { DestinationAnswered: true }
            ? null
            : error;
    }
}
