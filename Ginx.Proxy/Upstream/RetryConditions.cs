namespace Ginx.Proxy.Upstream;

/// <summary>
/// What makes an attempt worth trying again on another destination: nginx's
/// <c>proxy_next_upstream</c> conditions. Configured as a comma-separated list of the names in
/// <see cref="Names"/>, e.g. <c>"error, timeout, http_503"</c>.
/// </summary>
[Flags]
public enum RetryConditions
{
    /// <summary>Never retry.</summary>
    None = 0,

    /// <summary>The destination refused or reset the connection, or broke off before answering.</summary>
    Error = 1,

    /// <summary>The destination did not answer within the try timeout.</summary>
    Timeout = 2,

    /// <summary>The destination answered 502.</summary>
    Http502 = 4,

    /// <summary>The destination answered 503.</summary>
    Http503 = 8,

    /// <summary>The destination answered 504.</summary>
    Http504 = 16,

    /// <summary>The destination answered 500.</summary>
    Http500 = 32,

    /// <summary>The destination answered 429: it is rate-limiting, another may not be.</summary>
    Http429 = 64,

    /// <summary>The destination answered 403.</summary>
    Http403 = 128,

    /// <summary>The destination answered 404.</summary>
    Http404 = 256,
}

/// <summary>Reads and names <see cref="RetryConditions"/> the way nginx spells them.</summary>
public static class RetryConditionNames
{
    /// <summary>The configuration names, as in nginx's <c>proxy_next_upstream</c>.</summary>
    public static readonly IReadOnlyDictionary<string, RetryConditions> Names = new Dictionary<string, RetryConditions>(StringComparer.OrdinalIgnoreCase)
    {
        ["error"] = RetryConditions.Error,
        ["timeout"] = RetryConditions.Timeout,
        ["http_500"] = RetryConditions.Http500,
        ["http_502"] = RetryConditions.Http502,
        ["http_503"] = RetryConditions.Http503,
        ["http_504"] = RetryConditions.Http504,
        ["http_403"] = RetryConditions.Http403,
        ["http_404"] = RetryConditions.Http404,
        ["http_429"] = RetryConditions.Http429,
        ["off"] = RetryConditions.None,
    };

    /// <summary>Parses a comma-separated list; false names the first unknown condition.</summary>
    public static bool TryParse(string value, out RetryConditions conditions, out string? unknown)
    {
        conditions = RetryConditions.None;
        unknown = null;
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Names.TryGetValue(part, out var condition))
            {
                unknown = part;
                return false;
            }

            conditions |= condition;
        }

        return true;
    }

    /// <summary>The configuration name of a single condition, as metrics and logs report it.</summary>
    public static string Name(RetryConditions condition) => condition switch
    {
        RetryConditions.Error => "error",
        RetryConditions.Timeout => "timeout",
        RetryConditions.Http502 => "http_502",
        RetryConditions.Http503 => "http_503",
        RetryConditions.Http504 => "http_504",
        RetryConditions.Http500 => "http_500",
        RetryConditions.Http429 => "http_429",
        RetryConditions.Http403 => "http_403",
        RetryConditions.Http404 => "http_404",
        _ => condition.ToString(),
    };

    /// <summary>The condition a status code stands for, or <see cref="RetryConditions.None"/>.</summary>
    public static RetryConditions ForStatus(int statusCode) => statusCode switch
    {
        StatusCodes.Status502BadGateway => RetryConditions.Http502,
        StatusCodes.Status503ServiceUnavailable => RetryConditions.Http503,
        StatusCodes.Status504GatewayTimeout => RetryConditions.Http504,
        StatusCodes.Status500InternalServerError => RetryConditions.Http500,
        StatusCodes.Status429TooManyRequests => RetryConditions.Http429,
        StatusCodes.Status403Forbidden => RetryConditions.Http403,
        StatusCodes.Status404NotFound => RetryConditions.Http404,
        _ => RetryConditions.None,
    };
}
