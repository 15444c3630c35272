using System.Collections.Frozen;
using Ginx.Proxy.Configuration;
using Ginx.Proxy.Upstream;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Ginx.Proxy.LoadBalancing;

/// <summary>
/// Ginx's replacement for YARP's load-balancing step. YARP's skips the policy when one destination is
/// left and cannot hold a MaxConns limit; this one always asks the cluster's policy (YARP's or
/// Ginx's), reserves a slot on the picked destination atomically, skips destinations at their
/// <see cref="DestinationMetadata.MaxConns"/>, and feeds the time the destination took to answer into
/// its peak EWMA when the attempt completes. It picks only from <c>AvailableDestinations</c> as given and releases
/// what it reserved whatever happens, so a retry step around it may call it again with fewer.
/// It also reports each attempt to the cluster's passive health policy, as YARP's passive-health step
/// does, in its place: that step's own await of the forwarder was one more frame per request.
/// </summary>
internal sealed class GinxLoadBalancingMiddleware(
    RequestDelegate next, IEnumerable<ILoadBalancingPolicy> policies, IEnumerable<IPassiveHealthCheckPolicy> passiveHealthPolicies, TimeProvider time)
{
    // The policy YARP's passive-health step takes for a cluster that enables passive health without naming one.
    private const string YarpDefaultPassiveHealthPolicy = "TransportFailureRate";

    private readonly FrozenDictionary<string, ILoadBalancingPolicy> _policies =
        policies.ToFrozenDictionary(policy => policy.Name, StringComparer.OrdinalIgnoreCase);

    private readonly FrozenDictionary<string, IPassiveHealthCheckPolicy> _passiveHealthPolicies =
        passiveHealthPolicies.ToFrozenDictionary(policy => policy.Name, StringComparer.OrdinalIgnoreCase);

    public async Task InvokeAsync(HttpContext context)
    {
        var proxy = context.GetReverseProxyFeature();
        var available = proxy.AvailableDestinations;
        if (available.Count == 0)
        {
            AnswerUnavailable(context, NoDestinationErrorFeature.NoneAvailable);
            return;
        }

        var cluster = proxy.Route.Cluster!;
        var policy = _policies[ClusterPolicies.EffectiveName(proxy.Cluster.Config)];
        var destination = PickAndReserve(context, cluster, policy, available, out var noneAvailable, out var trial);
        if (destination is null)
        {
            AnswerUnavailable(context, noneAvailable ? NoDestinationErrorFeature.NoneAvailable : NoDestinationErrorFeature.AtMaxConns);
            return;
        }

        var runtime = DestinationRuntime.Of(destination);
        proxy.AvailableDestinations = destination;
        var attemptsBefore = ProxyAttemptFeature.Count(context);
        var load = runtime.InFlight;
        var started = time.GetTimestamp();
        try
        {
            await next(context);
            ReportPassiveHealth(context, proxy, cluster);
        }
        finally
        {
            runtime.Release();
            if (trial)
            {
                runtime.EndTrial();
            }

            // How long the destination took to answer, not how long the answer took to pass on (a
            // download to a slow client, server-sent events, a WebSocket); without an answer, how
            // long it took to fail. An answer noted for an attempt made before this one is not this one's.
            // A failure counts as slow, however fast it came.
            var finished = time.GetTimestamp();
            var answered = context.Features.Get<ProxyAttemptFeature>() is { AnsweredAt: { } at } attempts && attempts.Attempts > attemptsBefore
                ? at
                : finished;
            var result = AttemptResult.Of(context);
            runtime.RecordLatency(time.GetElapsedTime(started, answered), load, result.IsDestinationFailure, finished, time);
            runtime.RecordAttempt(result, finished);
        }
    }

    // As YARP's passive-health step: after an attempt that completed and reached a destination,
    // before this step's own bookkeeping, and only when the cluster enables passive health.
    private void ReportPassiveHealth(HttpContext context, IReverseProxyFeature proxy, ClusterState cluster)
    {
        var options = proxy.Cluster.Config.HealthCheck?.Passive;
        if (options?.Enabled != true || proxy.ProxiedDestination is not { } proxied)
        {
            return;
        }

        var name = string.IsNullOrEmpty(options.Policy) ? YarpDefaultPassiveHealthPolicy : options.Policy;
        _passiveHealthPolicies[name].RequestProxied(context, cluster, proxied);
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
    /// Picks a destination with room and reserves a slot on it: a refusing one due a
    /// <paramref name="trial"/> first, else one of those not refusing. Null with
    /// <paramref name="noneAvailable"/> when the policy picked nothing or every candidate refuses;
    /// null without it when every candidate is at its MaxConns.
    /// </summary>
    private DestinationState? PickAndReserve(
        HttpContext context, ClusterState cluster, ILoadBalancingPolicy policy, IReadOnlyList<DestinationState> available,
        out bool noneAvailable, out bool trial)
    {
        noneAvailable = false;
        trial = false;
        var balancing = ClusterBalancingState.Of(cluster).Candidates(cluster, available);
        if (AnyRefusing(balancing))
        {
            var tried = StartTrial(balancing);
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

            if (DestinationRuntime.Of(picked).TryReserve(DestinationSettings.Of(picked).MaxConns))
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
    /// A refusing candidate due a trial, reserved; null if none is. Between trials a refusing
    /// destination is passed over, and a request whose every candidate refuses is answered at once,
    /// rather than each request paying a connection attempt on each dead destination.
    /// </summary>
    private DestinationState? StartTrial(BalancingCandidates candidates)
    {
        var now = time.GetTimestamp();
        for (var i = 0; i < candidates.Count; i++)
        {
            var runtime = candidates.Runtimes[i];
            if (runtime.TryStartTrial(now, time))
            {
                if (runtime.TryReserve(candidates.Settings[i].MaxConns))
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
