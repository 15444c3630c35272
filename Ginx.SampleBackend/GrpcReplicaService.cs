using Ginx.SampleBackend.Rpc;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using RpcStatus = Grpc.Core.Status;

namespace Ginx.SampleBackend;

/// <summary>
/// The replica's gRPC service: a unary call, a server stream with a steady cadence, and a call that
/// fails with a rich error status, so tests can see what the balancer does to each.
/// </summary>
internal sealed class GrpcReplicaService(ReplicaIdentity identity, TimeProvider time) : Replica.ReplicaBase
{
    /// <summary>The most messages one <c>Tick</c> streams.</summary>
    public const int MaxTicks = 100_000;

    /// <summary>The domain of the <see cref="ErrorInfo"/> a <c>Fail</c> call's status carries.</summary>
    public const string ErrorDomain = "ginx.sample";

    public override Task<DescribeReply> Describe(DescribeRequest request, ServerCallContext context) =>
        Task.FromResult(new DescribeReply { Replica = identity.Name, Pid = Environment.ProcessId });

    public override async Task Tick(TickRequest request, IServerStreamWriter<TickReply> responseStream, ServerCallContext context)
    {
        if (request.Count is < 1 or > MaxTicks || request.IntervalMs is < 1 or > BackendEndpoints.MaxDelayMs)
        {
            throw new RpcException(new RpcStatus(StatusCode.InvalidArgument,
                $"count must be between 1 and {MaxTicks} and interval_ms between 1 and {BackendEndpoints.MaxDelayMs}, were {request.Count} and {request.IntervalMs}."));
        }

        // The timer keeps the cadence however long a write takes; the first message does not wait for it.
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(request.IntervalMs), time);
        for (var sequence = 1; ; sequence++)
        {
            await responseStream.WriteAsync(
                new TickReply { Replica = identity.Name, Sequence = sequence, SentUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds() },
                context.CancellationToken);
            if (sequence == request.Count || !await timer.WaitForNextTickAsync(context.CancellationToken))
            {
                return;
            }
        }
    }

    public override Task<DescribeReply> Fail(FailRequest request, ServerCallContext context)
    {
        if (request.Code is < 1 or > (int)StatusCode.Unauthenticated)
        {
            throw new RpcException(new RpcStatus(StatusCode.InvalidArgument, $"code must be an error status, 1 to 16, was {request.Code}."));
        }

        throw new Google.Rpc.Status
        {
            Code = request.Code,
            Message = request.Message,
            Details =
            {
                Any.Pack(new ErrorInfo { Domain = ErrorDomain, Reason = request.Reason, Metadata = { ["replica"] = identity.Name } }),
            },
        }.ToRpcException();
    }
}
