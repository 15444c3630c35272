using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;

namespace Ginx.SampleBackend;

/// <summary>
/// <c>/events?intervalMs=N&amp;count=M</c>: server-sent events, the first at once, then one every
/// <c>N</c> ms, <c>M</c> of them or until the client leaves. Each names the replica and the moment it
/// was sent, so a client on the same machine can tell whether anything on the way held it back.
/// </summary>
public static class EventStreamEndpoints
{
    /// <summary>The events' type, their <c>event:</c> field.</summary>
    public const string EventType = "tick";

    /// <summary>One event's data.</summary>
    public sealed record Tick(string Replica, int Sequence, long SentUnixMs);

    /// <summary>Maps <c>/events</c>.</summary>
    public static IEndpointConventionBuilder MapEventStream(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/events", (int? intervalMs, int? count, ReplicaIdentity identity, TimeProvider time, CancellationToken aborted) =>
        {
            var interval = intervalMs ?? 1000;
            if (interval is < 1 or > BackendEndpoints.MaxDelayMs || count < 1)
            {
                return Results.Problem(
                    detail: $"intervalMs must be between 1 and {BackendEndpoints.MaxDelayMs} and count at least 1, were {intervalMs} and {count}.",
                    statusCode: StatusCodes.Status400BadRequest);
            }

            // Written and flushed one event at a time, response buffering off.
            return Results.ServerSentEvents(TicksAsync(identity.Name, TimeSpan.FromMilliseconds(interval), count ?? int.MaxValue, time, aborted));
        });

    private static async IAsyncEnumerable<SseItem<Tick>> TicksAsync(
        string replica, TimeSpan interval, int count, TimeProvider time, [EnumeratorCancellation] CancellationToken aborted)
    {
        using var timer = new PeriodicTimer(interval, time);
        for (var sequence = 1; ; sequence++)
        {
            yield return new SseItem<Tick>(new Tick(replica, sequence, time.GetUtcNow().ToUnixTimeMilliseconds()), EventType)
            {
                EventId = sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            if (sequence == count || !await timer.WaitForNextTickAsync(aborted))
            {
                yield break;
            }
        }
    }
}
