using System.Buffers;
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

    private static readonly JsonEncodedText BadRequestType = JsonEncodedText.Encode("https://tools.ietf.org/html/rfc9110#section-15.5.1");
    private static readonly JsonEncodedText NotFoundType = JsonEncodedText.Encode("https://tools.ietf.org/html/rfc9110#section-15.5.5");
    private static readonly JsonEncodedText InternalServerErrorType = JsonEncodedText.Encode("https://tools.ietf.org/html/rfc9110#section-15.6.1");
    private static readonly JsonEncodedText BadGatewayType = JsonEncodedText.Encode("https://tools.ietf.org/html/rfc9110#section-15.6.3");
    private static readonly JsonEncodedText ServiceUnavailableType = JsonEncodedText.Encode("https://tools.ietf.org/html/rfc9110#section-15.6.4");
    private static readonly JsonEncodedText GatewayTimeoutType = JsonEncodedText.Encode("https://tools.ietf.org/html/rfc9110#section-15.6.5");

    /// <summary>Sets <paramref name="status"/> and writes the problem; <paramref name="cluster"/> is left out when null.</summary>
    public static Task WriteAsync(HttpContext context, int status, string title, string detail, string? cluster = null)
    {
        var body = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            if (TypeOf(status) is { } type)
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

    /// <summary>The RFC 9110 section of each status Ginx answers itself, as the problem-details service links them.</summary>
    private static JsonEncodedText? TypeOf(int status) => status switch
    {
        StatusCodes.Status400BadRequest => BadRequestType,
        StatusCodes.Status404NotFound => NotFoundType,
        StatusCodes.Status500InternalServerError => InternalServerErrorType,
        StatusCodes.Status502BadGateway => BadGatewayType,
        StatusCodes.Status503ServiceUnavailable => ServiceUnavailableType,
        StatusCodes.Status504GatewayTimeout => GatewayTimeoutType,
        _ => null,
    };
}
