using Ginx.Proxy.LoadBalancing;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.Retries;

/// <summary>
/// One request's retry bookkeeping, shared between <see cref="RetryMiddleware"/> and the response
/// transform that must decide, before a 502/503/504 body reaches the client, whether to hold it
/// back for another attempt.
/// </summary>
internal sealed class RetryState(
    RetryOptions options,
    RetryBudget budget,
    IReadOnlyList<DestinationState> candidates,
    IReadOnlyList<DestinationState> allDestinations,
    bool idempotent,
    bool hasBody,
    ReplayableRequestBody? body)
{
    private List<DestinationState>? _tried;

    /// <summary>The attempt under way, from 1.</summary>
    public int Attempt { get; private set; } = 1;

    /// <summary>Set when the transform held back a status answer for another attempt.</summary>
    public RetryConditions HeldBack { get; private set; }

    public RetryOptions Options => options;

    /// <summary>The request can be sent again from the start: it has no body, or all of it read so far was kept.</summary>
    public bool Replayable => !hasBody || body?.CanReplay == true;

    public bool Idempotent => idempotent;

    /// <summary>Another attempt is allowed and there is a destination, not marked down, it has not tried.</summary>
    public bool CanTryAnother => Attempt < options.Tries && (_tried?.Count ?? 0) + 1 < NotDownCount();

    /// <summary>
    /// Whether the destination's answer with <paramref name="statusCode"/> should be held back
    /// and the request tried elsewhere. Only a request that may be repeated is: a POST that
    /// reached a destination may have had its effect there.
    /// </summary>
    public bool TryHoldBack(int statusCode)
    {
        var condition = RetryConditionNames.ForStatus(statusCode);
        if ((options.Conditions & condition) == 0 || !idempotent || !Replayable || !CanTryAnother || !budget.TryAcquireRetry(options))
        {
            return false;
        }

        HeldBack = condition;
        return true;
    }

    /// <summary>Takes a retry from the budget for a failure the middleware saw.</summary>
    public bool TryAcquireRetry() => budget.TryAcquireRetry(options);

    /// <summary>
    /// Moves on to the next attempt, away from <paramref name="failed"/>; returns the destinations it
    /// may go to. Those available to the first attempt come first. Once each has been tried, the
    /// cluster's other destinations not marked down are next, healthy ones (backups) before the rest:
    /// nginx moves on to its backup servers the same way, and trying a destination that was taken out
    /// beats failing a request that could still be served (Envoy's panic mode, for one request).
    /// </summary>
    public IReadOnlyList<DestinationState> NextAttempt(DestinationState failed)
    {
        (_tried ??= new List<DestinationState>(options.Tries)).Add(failed);
        Attempt++;
        HeldBack = RetryConditions.None;

        var untried = Untried(candidates, healthyOnly: false);
        if (untried.Count == 0)
        {
            untried = Untried(allDestinations, healthyOnly: true);
        }

        return untried.Count > 0 ? untried : Untried(allDestinations, healthyOnly: false);
    }

    private List<DestinationState> Untried(IReadOnlyList<DestinationState> destinations, bool healthyOnly)
    {
        var untried = new List<DestinationState>();
        foreach (var destination in destinations)
        {
            if (!_tried!.Contains(destination)
                && !DestinationSettings.Of(destination).Down
                && (!healthyOnly || IsHealthy(destination)))
            {
                untried.Add(destination);
            }
        }

        return untried;
    }

    private static bool IsHealthy(DestinationState destination) =>
        destination.Health.Active != DestinationHealth.Unhealthy && destination.Health.Passive != DestinationHealth.Unhealthy;

    private int NotDownCount()
    {
        var count = 0;
        foreach (var destination in allDestinations)
        {
            count += DestinationSettings.Of(destination).Down ? 0 : 1;
        }

        return count;
    }
}
