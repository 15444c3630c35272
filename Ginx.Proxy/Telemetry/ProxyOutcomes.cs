using Ginx.Proxy.Upstream;
using Yarp.ReverseProxy.Forwarder;

namespace Ginx.Proxy.Telemetry;

/// <summary>The values of the <c>ginx.outcome</c> tag: how a proxied request ended.</summary>
public static class ProxyOutcomes
{
    /// <summary>A destination answered on the first attempt with a status below 500.</summary>
    public const string Success = "success";

    /// <summary>A destination answered with a status below 500 after more than one attempt.</summary>
    public const string Retried = "retried";

    /// <summary>The proxy gave up (its own error) or the final answer was a 5xx.</summary>
    public const string Failed = "failed";

    /// <summary>No destination was ever tried: none was available, or every one was at its limit.</summary>
    public const string Rejected = "rejected";

    /// <summary>Whether a request (or one attempt) failed: the proxy's own <paramref name="error"/> (as <see cref="ForwarderErrors.Of"/> finds it), or a 5xx.</summary>
    internal static bool IsFailure(int statusCode, IForwarderErrorFeature? error) =>
        statusCode >= StatusCodes.Status500InternalServerError
        || (error?.Error ?? ForwarderError.None) != ForwarderError.None;
}
