namespace Ginx.Proxy.Upstream;

/// <summary>
/// What may hold back a destination's answer, once its status and headers have arrived and before
/// its body is passed on, so the request can be tried elsewhere: Ginx's retries, for a status
/// <c>RetryOn</c> names. Kept on the request's <see cref="ProxyAttemptFeature"/>, whose response
/// transform asks it: a transform and a feature of its own would be two more feature lookups per request.
/// </summary>
internal interface IAnswerHold
{
    /// <summary>Whether to hold back the answer with <paramref name="statusCode"/>, leaving the response unsent.</summary>
    bool TryHoldBack(int statusCode);
}
