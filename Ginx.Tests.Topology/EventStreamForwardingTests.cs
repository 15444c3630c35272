using System.Net.ServerSentEvents;
using System.Text.Json;
using Ginx.SampleBackend;

namespace Ginx.Tests.Topology;

/// <summary>Server-sent events through the proxy: passed on as they are sent, none held back.</summary>
[Collection(TopologyCollection.Name)]
public sealed class EventStreamForwardingTests(GinxTopologyFixture topology)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Events_FirstReachesTheClientWithin100MsOfBeingSent_NoneHeldBack()
    {
        const int count = 3;
        const int interval = 1000;
        using var response = await topology.Proxy.GetAsync($"/events?intervalMs={interval}&count={count}", HttpCompletionOption.ResponseHeadersRead, Cancellation)
            .WaitAsync(Patience, Cancellation);
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var replica = Assert.Single(response.Headers.GetValues(ReplicaIdentity.HeaderName));

        await using var body = await response.Content.ReadAsStreamAsync(Cancellation);
        var events = new List<(EventStreamEndpoints.Tick Tick, long ArrivedUnixMs)>();
        await foreach (var item in SseParser.Create(body, (type, data) => JsonSerializer.Deserialize<EventStreamEndpoints.Tick>(data, JsonSerializerOptions.Web))
                           .EnumerateAsync(Cancellation).WithCancellation(Cancellation))
        {
            // Both clocks are this machine's: the replica's stamp and the moment the event got here.
            events.Add((item.Data!, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
            Assert.Equal(EventStreamEndpoints.EventType, item.EventType);
        }

        Assert.Equal(Enumerable.Range(1, count), events.Select(e => e.Tick.Sequence));
        Assert.All(events, e => Assert.Equal(replica, e.Tick.Replica));
        Assert.InRange(events[0].ArrivedUnixMs - events[0].Tick.SentUnixMs, 0, 100);
        // None held back for the next: each arrives well within the interval that follows it.
        Assert.All(events, e => Assert.InRange(e.ArrivedUnixMs - e.Tick.SentUnixMs, 0, interval / 2));
    }
}
