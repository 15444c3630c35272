using System.Net.Http.Headers;

namespace Ginx.AppHost;

/// <summary>
/// The mix of requests the traffic generator sends: mostly fast GETs, some slower
/// <c>/delay/{ms}</c>, some <c>POST /echo</c>. Chosen by sequence number rather than at random, so
/// every run sends the same mix.
/// </summary>
internal static class TrafficWorkload
{
    private static readonly byte[] EchoBody = new byte[4096];

    /// <summary>The request numbered <paramref name="sequence"/>.</summary>
    public static HttpRequestMessage Request(long sequence) => (sequence % 10) switch
    {
        < 7 => new HttpRequestMessage(HttpMethod.Get, "/"),
        < 9 => new HttpRequestMessage(HttpMethod.Get, $"/delay/{20 + (sequence * 37 % 230)}"),
        _ => new HttpRequestMessage(HttpMethod.Post, "/echo")
        {
            Content = new ByteArrayContent(EchoBody) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } },
        },
    };
}
