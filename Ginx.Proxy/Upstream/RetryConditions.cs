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

    /// <summary>Every condition: the default.</summary>
    All = Error | Timeout | Http502 | Http503 | Http504,
}

/// <summary>Reads and names <see cref="RetryConditions"/> the way nginx spells them.</summary>
public static class RetryConditionNames
{
    /// <summary>The configuration names, as in nginx's <c>proxy_next_upstream</c>.</summary>
    public static readonly IReadOnlyDictionary<string, RetryConditions> Names = new Dictionary<string, RetryConditions>(StringComparer.OrdinalIgnoreCase)
    {
        ["error"] = RetryConditions.Error,
        ["timeout"] = RetryConditions.Timeout,
        ["http_502"] = RetryConditions.Http502,
        ["http_503"] = RetryConditions.Http503,
        ["http_504"] = RetryConditions.Http504,
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
        _ => condition.ToString(),
    };

    /// <summary>The condition a status code stands for, or <see cref="RetryConditions.None"/>.</summary>
    public static RetryConditions ForStatus(int statusCode) => statusCode switch
    {
        StatusCodes.Status502BadGateway => RetryConditions.Http502,
        StatusCodes.Status503ServiceUnavailable => RetryConditions.Http503,
        StatusCodes.Status504GatewayTimeout => RetryConditions.Http504,
        _ => RetryConditions.None,
    };
}
