using System.Collections.Frozen;
using Ginx.Proxy.Upstream;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.LoadBalancing;

/// <summary>
/// What the balancer learns when an attempt it placed ends: the cluster's passive health policy
/// hears of it, as from YARP's passive-health step (in that step's place: its own await of the
/// forwarder was one more frame per request); the destination's slot goes back; the time the
/// destination took to answer goes into its peak EWMA, and the attempt into its record.
/// </summary>
internal sealed class AttemptFeedback(IEnumerable<IPassiveHealthCheckPolicy> passiveHealthPolicies, TimeProvider time)
{
    // The policy YARP's passive-health step takes for a cluster that enables passive health without naming one.
    private const string YarpDefaultPassiveHealthPolicy = "TransportFailureRate";

    private readonly FrozenDictionary<string, IPassiveHealthCheckPolicy> _passiveHealthPolicies =
        passiveHealthPolicies.ToFrozenDictionary(policy => policy.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Completes the attempt whose slot <paramref name="attempts"/> holds, if one does, and returns
    /// what the attempt came to: the request step calls this after each attempt, whatever the
    /// balancer did (it may have answered at once), and decides on a retry by the same result.
    /// </summary>
    public AttemptResult CompleteHeld(HttpContext context, IReverseProxyFeature proxy, ProxyAttemptFeature attempts, bool completed, long finished) =>
        attempts.TryTakeReservation(out var reservation)
            ? Complete(context, proxy, reservation, attempts, completed, finished)
            : AttemptResult.Of(context);

    /// <summary>
    /// Completes the attempt that held <paramref name="reservation"/>, once the rest of the pipeline
    /// has returned (<paramref name="completed"/>) or thrown, at <paramref name="finished"/>, and
    /// returns what the attempt came to.
    /// </summary>
    /// <param name="context">The request.</param>
    /// <param name="proxy">Its proxy feature.</param>
    /// <param name="reservation">The slot the attempt held.</param>
    /// <param name="attempts">The request's attempt record; null if none was made when the attempt started.</param>
    /// <param name="completed">Whether the rest of the pipeline returned rather than threw.</param>
    /// <param name="finished">When it did, on the balancer's clock.</param>
    public AttemptResult Complete(
        HttpContext context, IReverseProxyFeature proxy, DestinationReservation reservation, ProxyAttemptFeature? attempts, bool completed, long finished)
    {
        var runtime = reservation.Runtime;
        var result = AttemptResult.Of(context);
        try
        {
            // As YARP's passive-health step: after an attempt that completed and reached a destination.
            if (completed)
            {
                ReportPassiveHealth(context, proxy, result, finished);
            }
        }
        finally
        {
            runtime.Release();
            if (reservation.Trial)
            {
                runtime.EndTrial();
            }

            // How long the destination took to answer, not how long the answer took to pass on (a
            // download to a slow client, server-sent events, a WebSocket); without an answer, how
            // long it took to fail. An answer noted for an attempt made before this one is not this one's.
            // A failure counts as slow, however fast it came.
            var answered = (attempts ?? context.Features.Get<ProxyAttemptFeature>()) is { AnsweredAt: { } at } sent && sent.Attempts > reservation.AttemptsBefore
                ? at
                : finished;
            runtime.RecordLatency(time.GetElapsedTime(reservation.Started, answered), reservation.Load, result.IsDestinationFailure, finished, time);
            runtime.RecordAttempt(result, finished);
        }

        return result;
    }

    // Only when the cluster enables passive health, and only for an attempt that reached a destination.
    private void ReportPassiveHealth(HttpContext context, IReverseProxyFeature proxy, AttemptResult result, long finished)
    {
        var options = proxy.Cluster.Config.HealthCheck?.Passive;
        if (options?.Enabled != true || proxy.ProxiedDestination is not { } proxied)
        {
            return;
        }

        var name = string.IsNullOrEmpty(options.Policy) ? YarpDefaultPassiveHealthPolicy : options.Policy;
        var policy = _passiveHealthPolicies[name];
        if (policy is IAttemptResultHealthPolicy takesResult)
        {
            takesResult.AttemptEnded(proxy.Route.Cluster!, proxied, result, finished);
        }
        else
        {
            policy.RequestProxied(context, proxy.Route.Cluster!, proxied);
        }
    }
}
