using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Ginx.AppHost;
using Ginx.SampleBackend;
using Ginx.SampleBackend.Rpc;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;

namespace Ginx.Tests.Topology;

/// <summary>gRPC and plain HTTP/2 through the proxy's HTTP/2-only listener, balanced like HTTP/1.1.</summary>
[Collection(TopologyCollection.Name)]
public sealed class GrpcForwardingTests(GinxTopologyFixture topology)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Unary_SpreadOverEveryReplicaEvenly_EachNamingItselfInReplyAndMetadata()
    {
        const int calls = 30;
        using var channel = GrpcChannel.ForAddress(topology.GrpcAddress);
        var client = new Replica.ReplicaClient(channel);
        var served = new Dictionary<string, int>();
        for (var i = 0; i < calls; i++)
        {
            using var call = client.DescribeAsync(new DescribeRequest(), deadline: Deadline(), cancellationToken: Cancellation);
            var reply = await call;
            Assert.Equal(reply.Replica, (await call.ResponseHeadersAsync).GetValue("x-replica"));
            served[reply.Replica] = served.GetValueOrDefault(reply.Replica) + 1;
        }

        Assert.Equal(topology.Replicas, served.Keys.Order(StringComparer.Ordinal));
        var fairShare = calls / topology.Replicas.Count;
        Assert.All(served, pair => Assert.InRange(pair.Value, fairShare - 1, fairShare + 1));
    }

    [Fact]
    public async Task ServerStream_FirstMessageAtOnce_ThenOneEveryInterval()
    {
        const int interval = 1000;
        const int count = 3;
        using var channel = GrpcChannel.ForAddress(topology.GrpcAddress);
        var client = new Replica.ReplicaClient(channel);
        var clock = Stopwatch.StartNew();

        using var call = client.Tick(new TickRequest { Count = count, IntervalMs = interval }, deadline: Deadline(), cancellationToken: Cancellation);
        var arrivals = new List<(TickReply Tick, TimeSpan At)>();
        await foreach (var tick in call.ResponseStream.ReadAllAsync(Cancellation))
        {
            arrivals.Add((tick, clock.Elapsed));
        }

        Assert.Equal(Enumerable.Range(1, count), arrivals.Select(arrival => arrival.Tick.Sequence));
        Assert.Single(arrivals.Select(arrival => arrival.Tick.Replica).Distinct());
        // At once: well before the second message is due, so nothing on the way waited for more.
        Assert.InRange(arrivals[0].At, TimeSpan.Zero, TimeSpan.FromMilliseconds(interval / 2));
        // And none sooner than its turn: the cadence is the replica's, not the proxy's.
        for (var i = 1; i < count; i++)
        {
            Assert.True(arrivals[i].At - arrivals[0].At >= TimeSpan.FromMilliseconds((i * interval) - (interval / 4)), $"message {i + 1} arrived after {arrivals[i].At}");
        }

        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task ErrorStatus_ReachesTheClientWithItsDetails_IsNotRetried_AndEjectsNoReplica()
    {
        using var channel = GrpcChannel.ForAddress(topology.GrpcAddress);
        var client = new Replica.ReplicaClient(channel);
        var failing = new FailRequest { Code = (int)StatusCode.FailedPrecondition, Message = "card declined", Reason = "CARD_DECLINED" };
        await topology.ResetStatsAsync(Cancellation);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.FailAsync(failing, deadline: Deadline(), cancellationToken: Cancellation).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal("card declined", error.Status.Detail);
        var status = error.GetRpcStatus();
        Assert.NotNull(status);
        Assert.Equal((int)StatusCode.FailedPrecondition, status.Code);
        Assert.Equal("card declined", status.Message);
        var info = status.GetDetail<ErrorInfo>();
        Assert.NotNull(info);
        Assert.Equal("CARD_DECLINED", info.Reason);
        Assert.Contains(info.Metadata["replica"], topology.Replicas);
        // A call is a POST: a replica that answered, even with an error, is never asked again.
        Assert.Equal(1, await topology.TotalServedAsync(Cancellation));

        // An error status is the application's answer (HTTP 200), not a failing replica: nothing is ejected.
        for (var i = 0; i < 20; i++)
        {
            await Assert.ThrowsAsync<RpcException>(() => client.FailAsync(failing, deadline: Deadline(), cancellationToken: Cancellation).ResponseAsync);
        }

        var destinations = await topology.DestinationStatusAsync(ProxyProtocolsExtensions.GrpcClusterId, Cancellation);
        Assert.Equal(topology.Replicas, destinations.Keys.Order(StringComparer.Ordinal));
        Assert.All(destinations.Values, destination => Assert.Equal("healthy", destination.GetProperty("health").GetString()));
    }

    [Fact]
    public async Task Http2_ManyConcurrentStreamsOnOneConnection_SpreadOverEveryReplica()
    {
        const int streams = 90;
        var connections = 0;
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                Interlocked.Increment(ref connections);
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var client = new HttpClient(handler)
        {
            BaseAddress = topology.GrpcAddress,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = Patience,
        };

        // Each waits a moment at the replica, so the streams are open together, not one after another.
        var replies = await Task.WhenAll(Enumerable.Range(0, streams).Select(async _ =>
        {
            using var response = await client.GetAsync("/delay/200", Cancellation);
            response.EnsureSuccessStatusCode();
            return (response.Version, Replica: Assert.Single(response.Headers.GetValues(ReplicaIdentity.HeaderName)));
        }));

        Assert.Equal(1, connections);
        Assert.All(replies, reply => Assert.Equal(HttpVersion.Version20, reply.Version));
        var served = replies.CountBy(reply => reply.Replica).ToDictionary();
        Assert.Equal(topology.Replicas, served.Keys.Order(StringComparer.Ordinal));
        var fairShare = streams / topology.Replicas.Count;
        Assert.All(served, pair => Assert.InRange(pair.Value, fairShare - 1, fairShare + 1));
    }

    [Fact]
    public async Task Call_ToTheHttp11Listener_IsTurnedAwayWithHttp11Required()
    {
        using var channel = GrpcChannel.ForAddress(topology.ProxyAddress);
        var client = new Replica.ReplicaClient(channel);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.DescribeAsync(new DescribeRequest(), deadline: Deadline(), cancellationToken: Cancellation).ResponseAsync);

        // Kestrel answers the HTTP/2 preface with GOAWAY HTTP_1_1_REQUIRED. Clients built on gRPC's
        // core library report that as UNAVAILABLE: Failed parsing HTTP/2; this one as Internal.
        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Contains("HTTP_1_1_REQUIRED", error.Status.Detail, StringComparison.Ordinal);
    }

    private static DateTime Deadline() => DateTime.UtcNow + Patience;
}
