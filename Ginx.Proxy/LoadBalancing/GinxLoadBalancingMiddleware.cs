using System.Collections.Frozen;
using Ginx.Proxy.Configuration;
using Ginx.Proxy.Upstream;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.LoadBalancing;

/// <summary>
/// Ginx's replacement for YARP's load-balancing step. YARP's skips the policy when one destination is
/// left and cannot hold a MaxConns limit; this one always asks the cluster's policy (YARP's or
/// Ginx's), reserves a slot on the picked destination atomically and skips destinations at their
/// <see cref="DestinationMetadata.MaxConns"/>. It picks only from <c>AvailableDestinations</c> as given,
/// so a retry around it may call it again with fewer. When the attempt ends, <see cref="AttemptFeedback"/>
/// releases the slot, feeds the destination's latency into its peak EWMA and reports the attempt to
/// passive health: called by the step further out when there is one
/// (<see cref="ProxyAttemptFeature.CompletedOutside"/>), so this step need not await the forwarder,
/// and by this step itself otherwise.
/// </summary>
internal sealed class GinxLoadBalancingMiddleware(
    RequestDelegate next, IEnumerable<ILoadBalancingPolicy> policies, AttemptFeedback feedback, TimeProvider time)
{
    private readonly FrozenDictionary<string, ILoadBalancingPolicy> _policies = ClusterPolicies.LoadBalancingByName(policies);

    public Task InvokeAsync(HttpContext context)
    {
        var proxy = context.GetReverseProxyFeature();
        var available = proxy.AvailableDestinations;
        if (available.Count == 0)
        {
            AnswerUnavailable(context, NoDestinationErrorFeature.NoneAvailable);
            return Task.CompletedTask;
        }

        var cluster = proxy.Route.Cluster!;
        var policy = _policies[ClusterPolicies.EffectiveName(proxy.Cluster.Config)];
        var attempts = context.Features.Get<ProxyAttemptFeature>();
        var outside = attempts is { CompletedOutside: true };
        var started = outside ? attempts!.BeganAt : time.GetTimestamp();
        var destination = PickAndReserve(context, cluster, policy, available, started, out var noneAvailable, out var trial);
        if (destination is null)
        {
            AnswerUnavailable(context, noneAvailable ? NoDestinationErrorFeature.NoneAvailable : NoDestinationErrorFeature.AtMaxConns);
            return Task.CompletedTask;
        }

        var runtime = DestinationRuntime.Of(destination);
        proxy.AvailableDestinations = destination;
        if (outside)
        {
            attempts!.Hold(new DestinationReservation(runtime, trial, runtime.InFlight, started, attempts.Attempts));
            return next(context);
        }

        var reservation = new DestinationReservation(runtime, trial, runtime.InFlight, started, attempts?.Attempts ?? 0);
        return ForwardAndCompleteAsync(context, proxy, reservation, attempts);
    }

    private async Task ForwardAndCompleteAsync(
        HttpContext context, IReverseProxyFeature proxy, DestinationReservation reservation, ProxyAttemptFeature? attempts)
    {
        var completed = false;
        try
        {
            await next(context);
            completed = true;
        }
        finally
        {
            feedback.Complete(context, proxy, reservation, attempts, completed, time.GetTimestamp());
        }
    }

    /// <summary>
    /// Answers 503 here rather than through YARP's forwarder, which logs a warning for every request
    /// it finds no destination for: a dead cluster would log a line per request, and pay for it in
    /// answers per second (see README, "A dead cluster is answered at once").
    /// </summary>
    private static void AnswerUnavailable(HttpContext context, NoDestinationErrorFeature error)
    {
        context.Features.Set<IForwarderErrorFeature>(error);
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
    }

    /// <summary>
    /// Picks a destination with room and reserves a slot on it for an attempt sent at <paramref name="started"/>: a refusing one due a
    /// <paramref name="trial"/> first, else one of those not refusing. Null with
    /// <paramref name="noneAvailable"/> when the policy picked nothing or every candidate refuses;
    /// null without it when every candidate is at its MaxConns.
    /// </summary>
    private DestinationState? PickAndReserve(
        HttpContext context, ClusterState cluster, ILoadBalancingPolicy policy, IReadOnlyList<DestinationState> available,
        long started, out bool noneAvailable, out bool trial)
    {
        noneAvailable = false;
        trial = false;
        var balancing = ClusterBalancingState.Of(cluster).Candidates(cluster, available);
        if (AnyRefusing(balancing))
        {
            var tried = StartTrial(balancing, started);
            if (tried is not null)
            {
                trial = true;
                return tried;
            }

            var connecting = WithoutRefusing(balancing);
            if (connecting.Count == 0)
            {
                noneAvailable = true;
                return null;
            }

            balancing = ClusterBalancingState.Of(cluster).Candidates(cluster, connecting);
        }

        var candidates = WithRoom(balancing);
        while (candidates.Count > 0)
        {
            var picked = policy.PickDestination(context, cluster, candidates);
            if (picked is null)
            {
                noneAvailable = true;
                return null;
            }

            if (DestinationRuntime.Of(picked).TryReserve(DestinationSettings.Of(picked).MaxConns, started))
            {
                return picked;
            }

            // Another request took its last slot since the scan: try the others.
            var others = new List<DestinationState>(candidates.Count - 1);
            foreach (var candidate in candidates)
            {
                if (!ReferenceEquals(candidate, picked))
                {
                    others.Add(candidate);
                }
            }

            candidates = others;
        }

        return null;
    }

    // Read on every request: no allocation, a flag per candidate.
    private static bool AnyRefusing(BalancingCandidates candidates)
    {
        foreach (var runtime in candidates.Runtimes)
        {
            if (runtime.IsRefusing)
            {
                return true;
            }
        }

        return false;
    }

    private static List<DestinationState> WithoutRefusing(BalancingCandidates candidates)
    {
        var connecting = new List<DestinationState>(candidates.Count);
        for (var i = 0; i < candidates.Count; i++)
        {
            if (!candidates.Runtimes[i].IsRefusing)
            {
                connecting.Add(candidates.Destinations[i]);
            }
        }

        return connecting;
    }

    /// <summary>
    /// A refusing candidate due a trial, reserved for an attempt sent at <paramref name="started"/>; null if none is. Between trials a refusing
    /// destination is passed over, and a request whose every candidate refuses is answered at once,
    /// rather than each request paying a connection attempt on each dead destination.
    /// </summary>
    private DestinationState? StartTrial(BalancingCandidates candidates, long started)
    {
        for (var i = 0; i < candidates.Count; i++)
        {
            var runtime = candidates.Runtimes[i];
            if (runtime.TryStartTrial(started, time))
            {
                if (runtime.TryReserve(candidates.Settings[i].MaxConns, started))
                {
                    return candidates.Destinations[i];
                }

                runtime.EndTrial();
            }
        }

        return null;
    }

    /// <summary>The candidates below their MaxConns: the given list itself, without copying, unless some are full.</summary>
    private static IReadOnlyList<DestinationState> WithRoom(BalancingCandidates candidates)
    {
        List<DestinationState>? withRoom = null;
        for (var i = 0; i < candidates.Count; i++)
        {
            var full = !candidates.Runtimes[i].HasRoom(candidates.Settings[i]);
            if (full && withRoom is null)
            {
                withRoom = new List<DestinationState>(candidates.Count);
                for (var j = 0; j < i; j++)
                {
                    withRoom.Add(candidates.Destinations[j]);
                }
            }
            else if (!full)
            {
                withRoom?.Add(candidates.Destinations[i]);
            }
        }

        return withRoom ?? candidates.Destinations;
    }
}
