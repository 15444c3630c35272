using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Ginx.Proxy.Upstream;

/// <summary>
/// Drops the headers a message's <c>Connection</c> header names, both ways, as RFC 9110 §7.6.1
/// asks of a proxy: a sender lists there the headers meant for the next hop only. YARP already
/// drops the standard hop-by-hop set, not the ones a sender names. <c>Upgrade</c> is kept, so
/// WebSockets, which YARP forwards itself, keep working.
/// </summary>
internal sealed class ConnectionOptionsTransformProvider : ITransformProvider
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        context.AddRequestTransform(static transform =>
        {
            ForEachNamedHeader(transform.HttpContext.Request.Headers.Connection, transform, static (transform, name) => RequestTransform.RemoveHeader(transform, name));
            return ValueTask.CompletedTask;
        });
        context.AddResponseTransform(static transform =>
        {
            // Without a response YARP is shaping its own error answer, which names no header.
            if (transform.ProxyResponse is { } response
                && response.Headers.NonValidated.TryGetValues("Connection", out var connection))
            {
                foreach (var value in connection)
                {
                    ForEachNamedHeader(value, transform.HttpContext.Response.Headers, static (headers, name) => headers.Remove(name));
                }
            }

            return ValueTask.CompletedTask;
        });
    }

    /// <summary>
    /// Calls <paramref name="remove"/> with each header name <paramref name="connection"/> lists,
    /// bar <c>close</c>, <c>keep-alive</c> (which YARP drops anyway) and <c>Upgrade</c>.
    /// </summary>
    private static void ForEachNamedHeader<TState>(StringValues connection, TState state, Action<TState, string> remove)
    {
        foreach (var value in connection)
        {
            var rest = value.AsSpan();
            while (!rest.IsEmpty)
            {
                var comma = rest.IndexOf(',');
                var token = (comma < 0 ? rest : rest[..comma]).Trim(" \t");
                rest = comma < 0 ? [] : rest[(comma + 1)..];
                if (!token.IsEmpty && !IsKept(token))
                {
                    remove(state, token.ToString());
                }
            }
        }
    }

    private static bool IsKept(ReadOnlySpan<char> token) =>
        token.Equals("close", StringComparison.OrdinalIgnoreCase)
        || token.Equals("keep-alive", StringComparison.OrdinalIgnoreCase)
        || token.Equals("Upgrade", StringComparison.OrdinalIgnoreCase);
}
