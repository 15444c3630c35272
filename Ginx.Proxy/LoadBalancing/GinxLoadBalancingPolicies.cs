namespace Ginx.Proxy.LoadBalancing;

/// <summary>
/// The names of Ginx's load-balancing policies, for a cluster's <c>LoadBalancingPolicy</c>. They sit
/// beside YARP's own (<see cref="Yarp.ReverseProxy.LoadBalancing.LoadBalancingPolicies"/>) and, like
/// them, are matched case-insensitively.
/// </summary>
public static class GinxLoadBalancingPolicies
{
    /// <summary>nginx's smooth weighted round robin; with equal weights, plain round robin.</summary>
    public static string WeightedRoundRobin => nameof(WeightedRoundRobin);

    /// <summary>nginx's <c>least_conn</c>: fewest requests in flight per unit of weight, ties taken in turn.</summary>
    public static string WeightedLeastRequests => nameof(WeightedLeastRequests);

    /// <summary>
    /// A ketama ring over the key the cluster's <c>HashKey</c> metadata names (nginx's
    /// <c>hash … consistent</c>); a request without the key falls back to weighted round robin.
    /// </summary>
    public static string ConsistentHash => nameof(ConsistentHash);

    /// <summary>
    /// Latency-aware, as Finagle and Linkerd balance: of two random destinations, the one with the lower
    /// peak-EWMA latency × (requests in flight + 1) ÷ (the requests in flight it was measured under × weight).
    /// </summary>
    public static string PeakEwma => nameof(PeakEwma);
}
