using System.Net;
using Microsoft.Extensions.Primitives;

namespace Ginx.Proxy.LoadBalancing;

/// <summary>
/// What <see cref="GinxLoadBalancingPolicies.ConsistentHash"/> hashes, from the cluster's
/// <see cref="MetadataKey"/> metadata: <c>header:NAME</c>, <c>cookie:NAME</c>, <c>query:NAME</c>,
/// <c>path</c>, <c>path-and-query</c> or <c>client-ip</c> (nginx's <c>hash $http_name</c>, <c>$cookie_name</c>,
/// <c>$arg_name</c>, <c>$uri</c>, <c>$request_uri</c>, <c>$remote_addr</c>).
/// </summary>
internal sealed class HashKey
{
    /// <summary>The cluster metadata key.</summary>
    public const string MetadataKey = "HashKey";

    /// <summary>What a cluster without <see cref="MetadataKey"/> hashes.</summary>
    public static readonly HashKey ClientIp = new(HashKeySource.ClientIp, "");

    private HashKey(HashKeySource source, string name)
    {
        Source = source;
        Name = name;
    }

    private enum HashKeySource
    {
        Header,
        Cookie,
        Query,
        Path,
        PathAndQuery,
        ClientIp,
    }

    private HashKeySource Source { get; }

    private string Name { get; }

    /// <summary>The key a cluster's <paramref name="metadata"/> names; <see cref="ClientIp"/> when it names none or an invalid one (validation rejects those).</summary>
    public static HashKey Of(IReadOnlyDictionary<string, string>? metadata) =>
        metadata is not null && metadata.TryGetValue(MetadataKey, out var text) && TryParse(text, out var key) ? key : ClientIp;

    public static bool TryParse(string? text, out HashKey key)
    {
        key = ClientIp;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        if (text.Equals("path", StringComparison.OrdinalIgnoreCase))
        {
            key = new HashKey(HashKeySource.Path, "");
            return true;
        }

        if (text.Equals("path-and-query", StringComparison.OrdinalIgnoreCase))
        {
            key = new HashKey(HashKeySource.PathAndQuery, "");
            return true;
        }

        if (text.Equals("client-ip", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var name = colon < 0 ? "" : text[(colon + 1)..].Trim();
        if (name.Length == 0)
        {
            return false;
        }

        HashKeySource? source = text[..colon].Trim().ToUpperInvariant() switch
        {
            "HEADER" => HashKeySource.Header,
            "COOKIE" => HashKeySource.Cookie,
            "QUERY" => HashKeySource.Query,
            _ => null,
        };
        if (source is null)
        {
            return false;
        }

        key = new HashKey(source.Value, name);
        return true;
    }

    /// <summary>Hashes the key of <paramref name="context"/>'s request; false when the request does not carry it.</summary>
    public bool TryHash(HttpContext context, out ulong hash)
    {
        hash = 0;
        switch (Source)
        {
            case HashKeySource.Header:
                return TryHash(context.Request.Headers[Name], out hash);
            case HashKeySource.Query:
                return TryHash(context.Request.Query[Name], out hash);
            case HashKeySource.Cookie:
                var cookie = context.Request.Cookies[Name];
                if (string.IsNullOrEmpty(cookie))
                {
                    return false;
                }

                hash = StableHash.Of(cookie);
                return true;
            case HashKeySource.Path:
                hash = StableHash.Of(context.Request.Path.Value);
                return true;
            case HashKeySource.PathAndQuery:
                hash = StableHash.Of(context.Request.Path.Value, context.Request.QueryString.Value);
                return true;
            default:
                return TryHash(context.Connection.RemoteIpAddress, out hash);
        }
    }

    private static bool TryHash(StringValues values, out ulong hash)
    {
        if (StringValues.IsNullOrEmpty(values))
        {
            hash = 0;
            return false;
        }

        hash = StableHash.Of(values[0]);
        return true;
    }

    private static bool TryHash(IPAddress? address, out ulong hash)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (address is null || !address.TryWriteBytes(bytes, out var written))
        {
            hash = 0;
            return false;
        }

        hash = StableHash.Of(bytes[..written]);
        return true;
    }
}
