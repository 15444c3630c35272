using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using Ginx.SampleBackend;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ginx.Tests.Topology;

[Collection(TopologyCollection.Name)]
public sealed class ForwardingTests(GinxTopologyFixture topology)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public void Topology_EveryResource_IsHealthy()
    {
        Assert.Equal(3, topology.Replicas.Count);
        foreach (var name in topology.Replicas.Append("proxy"))
        {
            Assert.True(topology.App.ResourceNotifications.TryGetCurrentState(name, out var resource), name);
            Assert.Equal(HealthStatus.Healthy, resource.Snapshot.HealthStatus);
        }
    }

    [Fact]
    public async Task Get_RoundRobin_ReachesEveryReplicaEvenly()
    {
        const int requests = 300;
        var served = new Dictionary<string, int>();
        for (var i = 0; i < requests; i++)
        {
            using var response = await topology.Proxy.GetAsync("/", Cancellation);
            response.EnsureSuccessStatusCode();
            var replica = Assert.Single(response.Headers.GetValues(ReplicaIdentity.HeaderName));
            served[replica] = served.GetValueOrDefault(replica) + 1;
        }

        Assert.Equal(topology.Replicas, served.Keys.Order(StringComparer.Ordinal));
        var fairShare = requests / topology.Replicas.Count;
        Assert.All(served, pair => Assert.InRange(pair.Value, fairShare - 1, fairShare + 1));
    }

    [Fact]
    public async Task PostEcho_FiveMebibytes_ComesBackByteIdentical()
    {
        var body = RandomNumberGenerator.GetBytes(5 * 1024 * 1024);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/octet-stream");

        using var response = await topology.Proxy.PostAsync("/echo", content, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echoed = await response.Content.ReadAsByteArrayAsync(Cancellation);
        Assert.Equal(body.Length, echoed.Length);
        Assert.Equal(SHA256.HashData(body), SHA256.HashData(echoed));
    }

    [Fact]
    public async Task Get_Replica_SeesClientViewInForwardedHeaders()
    {
        var reply = await topology.Proxy.GetFromJsonAsync<ReplicaReply>("/", JsonSerializerOptions.Web, Cancellation);

        Assert.NotNull(reply);
        Assert.Equal("127.0.0.1", reply.XForwardedFor);
        Assert.Equal("http", reply.XForwardedProto);
        Assert.Equal(topology.ProxyAddress.Authority, reply.XForwardedHost);
    }

    [Fact]
    public async Task Get_WithTraceContext_ReplicaContinuesTheSameTraceThroughAProxySpan()
    {
        var clientTraceId = ActivityTraceId.CreateRandom();
        var clientSpanId = ActivitySpanId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("traceparent", $"00-{clientTraceId}-{clientSpanId}-01");

        using var response = await topology.Proxy.SendAsync(request, Cancellation);
        var reply = await response.Content.ReadFromJsonAsync<ReplicaReply>(JsonSerializerOptions.Web, Cancellation);

        Assert.NotNull(reply?.Traceparent);
        var parts = reply.Traceparent.Split('-');
        Assert.Equal(clientTraceId.ToHexString(), parts[1]);
        // The replica's parent is a span the proxy opened, not the client's span: the proxy is in the trace.
        Assert.NotEqual(clientSpanId.ToHexString(), parts[2]);
    }

    [Fact]
    public async Task Get_WithoutTraceContext_ReplicaStillReceivesOne()
    {
        var reply = await topology.Proxy.GetFromJsonAsync<ReplicaReply>("/", JsonSerializerOptions.Web, Cancellation);

        Assert.NotNull(reply?.Traceparent);
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", reply.Traceparent);
    }

    [Fact]
    public async Task Get_UnreachableCluster_GetsProblemNamingTheCluster()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/anything");
        request.Headers.Host = GinxTopologyFixture.UnreachableHost;

        using var response = await topology.Proxy.SendAsync(request, Cancellation);

        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.BadGateway, HttpStatusCode.ServiceUnavailable });
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancellation));
        Assert.Equal((int)response.StatusCode, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(GinxTopologyFixture.UnreachableCluster, problem.RootElement.GetProperty("cluster").GetString());
        Assert.DoesNotContain("   at ", problem.RootElement.ToString(), StringComparison.Ordinal);
    }
}
