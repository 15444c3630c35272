namespace Ginx.Proxy.Upstream;

/// <summary>
/// The slot the balancer reserved on a destination for one attempt, with what it needs to learn
/// from the attempt once it ends.
/// </summary>
/// <param name="Runtime">The destination's runtime, whose slot is held.</param>
/// <param name="Trial">Whether the attempt is a refusing destination's trial.</param>
/// <param name="Load">The requests in flight on the destination when the attempt was sent, itself included.</param>
/// <param name="Started">When the attempt began, on the balancer's clock: with Ginx's request step around the balancer, the stamp that step read before the pick (<see cref="ProxyAttemptFeature.BeganAt"/>), so the latency recorded includes the pick's few microseconds.</param>
/// <param name="AttemptsBefore">The attempts the request had sent to destinations before this one.</param>
internal readonly record struct DestinationReservation(DestinationRuntime Runtime, bool Trial, int Load, long Started, int AttemptsBefore);
