using System.Buffers;
using System.Collections.Frozen;
using System.Diagnostics;
using System.Text.Json;

namespace Ginx.Proxy.Errors;

/// <summary>
/// Writes an <c>application/problem+json</c> answer (RFC 9457) with the fields ASP.NET Core's
/// problem-details service gives one (<c>type</c> for the status, <c>title</c>, <c>status</c>,
/// <c>detail</c>, <c>traceId</c>) and, for a cluster's failure, <c>cluster</c>. Written straight to
/// the response with a <see cref="Utf8JsonWriter"/>: when every destination is down, every request
/// is answered here, and the problem-details service and its serialiser took a third of that time.
/// </summary>
internal static class ProblemAnswer
{
    private static readonly JsonEncodedText TypeName = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText TitleName = JsonEncodedText.Encode("title");
    private static readonly JsonEncodedText StatusName = JsonEncodedText.Encode("status");
    private static readonly JsonEncodedText DetailName = JsonEncodedText.Encode("detail");
    private static readonly JsonEncodedText ClusterName = JsonEncodedText.Encode("cluster");
    private static readonly JsonEncodedText TraceIdName = JsonEncodedText.Encode("traceId");

    /// <summary>The RFC 9110 section of each status Ginx answers itself, as the problem-details service links them.</summary>
    private static readonly FrozenDictionary<int, JsonEncodedText> Types = new Dictionary<int, JsonEncodedText>
    {
        [StatusCodes.Status400BadRequest] = Rfc9110Section("15.5.1"),
        [StatusCodes.Status404NotFound] = Rfc9110Section("15.5.5"),
        [StatusCodes.Status500InternalServerError] = Rfc9110Section("15.6.1"),
        [StatusCodes.Status502BadGateway] = Rfc9110Section("15.6.3"),
        [StatusCodes.Status503ServiceUnavailable] = Rfc9110Section("15.6.4"),
        [StatusCodes.Status504GatewayTimeout] = Rfc9110Section("15.6.5"),
    }.ToFrozenDictionary();

    /// <summary>Sets <paramref name="status"/> and writes the problem; <paramref name="cluster"/> is left out when null.</summary>
    public static Task WriteAsync(HttpContext context, int status, string title, string detail, string? cluster = null)
    {
        var body = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            if (Types.TryGetValue(status, out var type))
            {
                json.WriteString(TypeName, type);
            }

            json.WriteString(TitleName, title);
            json.WriteNumber(StatusName, status);
            json.WriteString(DetailName, detail);
            if (cluster is not null)
            {
                json.WriteString(ClusterName, cluster);
            }

            json.WriteString(TraceIdName, Activity.Current?.Id ?? context.TraceIdentifier);
            json.WriteEndObject();
        }

        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/problem+json";
        response.ContentLength = body.WrittenCount;
        return response.Body.WriteAsync(body.WrittenMemory, context.RequestAborted).AsTask();
    }

    private static JsonEncodedText Rfc9110Section(string section) =>
        JsonEncodedText.Encode("https://tools.ietf.org/html/rfc9110#section-" + section);
}
