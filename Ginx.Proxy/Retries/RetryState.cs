using Ginx.Proxy.Upstream;
using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.Retries;

/// <summary>
/// One request's retry bookkeeping, shared between <see cref="RequestRetries"/> and the response
/// transform that must decide, before the body of an answer whose status <c>RetryOn</c> names
/// reaches the client, whether to hold it back for another attempt (through the request's
/// <see cref="ProxyAttemptFeature.AnswerHold"/>).
/// </summary>
internal sealed class RetryState(
    RetryOptions options,
    RetryBudget budget,
    IReverseProxyFeature proxy,
    bool idempotent,
    bool hasBody,
    ReplayableRequestBody? body) : IAnswerHold
{
    // The destinations available to the first attempt; the retries narrow the feature's own list for each retry.
    private readonly IReadOnlyList<DestinationState> _candidates = proxy.AvailableDestinations;
    private List<DestinationState>? _tried;

    // The budget's charge for the retry under way, until it is settled. A value and a flag rather than
    // a nullable, whose flag would be padded to eight bytes: one of these is allocated per request.
    private long _charge;
    private bool _charged;

    /// <summary>The attempt under way, from 1.</summary>
    public int Attempt { get; private set; } = 1;

    /// <summary>Set when the transform held back a status answer for another attempt.</summary>
    public RetryConditions HeldBack { get; private set; }

    public RetryOptions Options => options;

    public IReverseProxyFeature Proxy => proxy;

    /// <summary>The copy of the request's body kept for sending it again; null when none is kept.</summary>
    public ReplayableRequestBody? Body => body;

    /// <summary>Whether no attempt so far reached a destination: each failed to connect.</summary>
    public bool EveryAttemptUnreachable { get; private set; } = true;

    /// <summary>The request can be sent again from the start: it has no body, or all of it read so far was kept.</summary>
    public bool Replayable => !hasBody || body?.CanReplay == true;

    public bool Idempotent => idempotent;

    /// <summary>Another attempt is allowed, and some destination not marked down is neither <paramref name="current"/> nor tried already.</summary>
    public bool CanTryAnother(DestinationState current)
    {
        if (Attempt >= options.Tries)
        {
            return false;
        }

        foreach (var destination in proxy.AllDestinations)
        {
            if (destination != current && !WasTried(destination) && !DestinationAvailability.IsDown(destination))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether the destination's answer with <paramref name="statusCode"/> should be held back
    /// and the request tried elsewhere. Only a request that may be repeated is: a POST that
    /// reached a destination may have had its effect there. Only checks that the budget has a retry
    /// left: <see cref="RequestRetries"/> takes it if it does retry, which it may yet decline to.
    /// </summary>
    public bool TryHoldBack(int statusCode)
    {
        var condition = RetryConditionNames.ForStatus(statusCode);
        if ((options.Conditions & condition) == 0 || !idempotent || !Replayable
            || !CanTryAnother(proxy.ProxiedDestination!) || !budget.HasRetryLeft(options))
        {
            return false;
        }

        HeldBack = condition;
        return true;
    }

    /// <summary>Notes how the attempt under way ended.</summary>
    public void Ended(AttemptResult result) => EveryAttemptUnreachable &= result.NeverReachedDestination;

    /// <summary>Takes a retry from the budget, once the decision to retry is made.</summary>
    public bool TryAcquireRetry()
    {
        if (!budget.TryAcquireRetry(options, out var charge))
        {
            return false;
        }

        _charge = charge;
        _charged = true;
        return true;
    }

    /// <summary>
    /// The last attempt has ended with <paramref name="result"/>: a retry answered well goes back to
    /// the budget, one that failed stays spent.
    /// </summary>
    public void Settle(AttemptResult result)
    {
        if (_charged && result.Verdict == AttemptVerdict.Answered && HeldBack == RetryConditions.None)
        {
            budget.Refund(_charge);
        }

        _charged = false;
    }

    /// <summary>
    /// Moves on to the next attempt, away from <paramref name="failed"/>; returns the destinations it
    /// may go to. Those available to the first attempt come first. Once each has been tried, the
    /// cluster's other destinations not marked down are next, healthy ones (backups) before the rest:
    /// nginx moves on to its backup servers the same way, and trying a destination that was taken out
    /// beats failing a request that could still be served (Envoy's panic mode, for one request).
    /// A destination at its MaxConns is passed over while another has room, as nginx skips a full server.
    /// </summary>
    public IReadOnlyList<DestinationState> NextAttempt(DestinationState failed)
    {
        (_tried ??= new List<DestinationState>(options.Tries)).Add(failed);
        Attempt++;
        HeldBack = RetryConditions.None;

        var next = Untried(_candidates, healthyOnly: false, withRoomOnly: true);
        if (next.Count == 0)
        {
            next = Untried(proxy.AllDestinations, healthyOnly: true, withRoomOnly: true);
        }

        if (next.Count == 0)
        {
            next = Untried(proxy.AllDestinations, healthyOnly: false, withRoomOnly: true);
        }

        // Every one left is full: the balancer answers that as it would for a first attempt.
        return next.Count > 0 ? next : Untried(proxy.AllDestinations, healthyOnly: false, withRoomOnly: false);
    }

    private bool WasTried(DestinationState destination) => _tried?.Contains(destination) == true;

    private List<DestinationState> Untried(IReadOnlyList<DestinationState> destinations, bool healthyOnly, bool withRoomOnly)
    {
        var untried = new List<DestinationState>();
        foreach (var destination in destinations)
        {
            if (!WasTried(destination)
                && !DestinationAvailability.IsDown(destination)
                && (!healthyOnly || !DestinationAvailability.FailedByHealthCheck(destination, proxy.Cluster.Config))
                && (!withRoomOnly || DestinationAvailability.HasRoom(destination)))
            {
                untried.Add(destination);
            }
        }

        return untried;
    }
}
