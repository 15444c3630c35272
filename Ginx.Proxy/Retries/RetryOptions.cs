using System.ComponentModel.DataAnnotations;
using Ginx.Proxy.Configuration;
using Ginx.Proxy.Upstream;

namespace Ginx.Proxy.Retries;

/// <summary>
/// When a request that failed on one destination is tried on another: nginx's
/// <c>proxy_next_upstream</c> family, with Envoy's retry budget. Defaults come from
/// <c>Ginx:Retries</c>; a cluster overrides any of <see cref="Tries"/>, <see cref="TryTimeout"/>,
/// <see cref="RetryOn"/> and <see cref="MaxReplayableBodyBytes"/> through its metadata.
/// </summary>
public sealed class RetryOptions : ClusterSettings<RetryOptions>, IValidatableObject
{
    /// <summary>The configuration section of the defaults.</summary>
    public const string SectionName = "Ginx:Retries";

    /// <inheritdoc/>
    protected override void BindOverrides(IConfiguration metadata) => metadata.Bind(this);

    /// <summary>The most <see cref="Tries"/> allowed.</summary>
    public const int MostTries = 10;

    /// <summary>Attempts in all, the first included (nginx <c>proxy_next_upstream_tries</c>); 1 turns retries off.</summary>
    [Range(1, MostTries)]
    public int Tries { get; set; } = 3;

    /// <summary>
    /// How long one attempt may wait on the destination before it counts as timed out (YARP's
    /// <c>HttpRequest:ActivityTimeout</c>, which this sets when the cluster leaves it unset).
    /// Empty keeps YARP's default of 100 seconds.
    /// </summary>
    [TimeSpanRange("00:00:00.001", "01:00:00")]
    public TimeSpan? TryTimeout { get; set; }

    private const int NotParsed = -1;
    private string _retryOn = "error, timeout, http_502, http_503, http_504";
    private int _conditions = NotParsed;

    /// <summary>The conditions worth another attempt: any of <c>error</c>, <c>timeout</c>, <c>http_502</c>, <c>http_503</c>, <c>http_504</c>, or <c>off</c>.</summary>
    [Required]
    public string RetryOn
    {
        get => _retryOn;
        set
        {
            _retryOn = value;
            _conditions = NotParsed;
        }
    }

    /// <summary>An idempotent request's body is copied as it streams, up to this size, so it can be sent again; a larger one is retried only if never sent.</summary>
    [Range(0, 16 * 1024 * 1024)]
    public int MaxReplayableBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Retries that failed or are in flight may add at most this share of the cluster's requests over <see cref="BudgetWindow"/>; one answered well is given back.</summary>
    [Range(0.0, 100.0)]
    public double BudgetPercent { get; set; } = 20;

    /// <summary>Retries always allowed per <see cref="BudgetWindow"/>, so a quiet cluster can still retry; also how many requests may be failing over at one instant.</summary>
    [Range(0, 1_000_000)]
    public int BudgetMinRetries { get; set; } = 10;

    /// <summary>The window the budget counts over.</summary>
    [TimeSpanRange("00:00:01", "00:10:00")]
    public TimeSpan BudgetWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary><see cref="RetryOn"/>, parsed once: it is read on every failed attempt.</summary>
    public RetryConditions Conditions
    {
        get
        {
            var conditions = Volatile.Read(ref _conditions);
            if (conditions == NotParsed)
            {
                conditions = RetryConditionNames.TryParse(_retryOn, out var parsed, out _) ? (int)parsed : (int)RetryConditions.None;
                Volatile.Write(ref _conditions, conditions);
            }

            return (RetryConditions)conditions;
        }
    }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!RetryConditionNames.TryParse(RetryOn, out _, out var unknown))
        {
            yield return new ValidationResult(
                $"names the unknown condition '{unknown}'; use any of {string.Join(", ", RetryConditionNames.Names.Keys)}.",
                [nameof(RetryOn)]);
        }
    }
}
