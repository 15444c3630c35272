using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Configuration.ClusterValidators;

namespace Ginx.Proxy.Configuration;

/// <summary>
/// Settings with a global default (a section under <c>Ginx:</c>) that a cluster may override one
/// key at a time through its <c>Metadata</c>, under the same names: <c>Ginx:Retries:Tries</c> sets
/// the default, a cluster's <c>Metadata:Tries</c> its own value. Both are checked by the same
/// data annotations, with messages that name the key and the value.
/// </summary>
/// <typeparam name="TSettings">A class of settable properties with data annotations.</typeparam>
public abstract class ClusterSettings<[DynamicallyAccessedMembers(ClusterSettingsMembers.Read)] TSettings>
    where TSettings : ClusterSettings<TSettings>
{
    /// <summary>A copy, so a cluster's overrides never touch the defaults.</summary>
    public TSettings Clone() => (TSettings)MemberwiseClone();

    /// <summary>
    /// The settings for <paramref name="cluster"/>: these (the defaults) with the cluster's
    /// metadata bound over them. Problems go to <paramref name="problems"/>, each naming the cluster
    /// and the key; the result is then only the defaults.
    /// </summary>
    public TSettings ResolveFor(ClusterConfig cluster, ICollection<string> problems)
    {
        var defaults = (TSettings)this;
        var settings = defaults.Clone();
        if (cluster.Metadata is not { Count: > 0 } metadata)
        {
            return settings;
        }

        var before = problems.Count;
        try
        {
            settings.BindOverrides(new ConfigurationBuilder().AddInMemoryCollection(metadata!).Build());
        }
        catch (InvalidOperationException exception)
        {
            problems.Add($"Cluster '{cluster.ClusterId}': {exception.Message}");
            return defaults.Clone();
        }

        settings.ApplyEmptyValues(metadata, cluster.ClusterId, problems);
        foreach (var (member, message) in settings.Problems())
        {
            problems.Add($"Cluster '{cluster.ClusterId}': Metadata:{member} = '{metadata.GetValueOrDefault(member) ?? settings.Describe(member)}': {message}");
        }

        return problems.Count == before ? settings : defaults.Clone();
    }

    /// <summary>
    /// What the binder skips: a key given an empty value, which it leaves as it was, so an empty
    /// <c>TryTimeout</c> would quietly keep the default instead of YARP's. Empty means "none" for a
    /// member that can be none (a nullable one), and is a mistake for one that cannot.
    /// </summary>
    private void ApplyEmptyValues(IReadOnlyDictionary<string, string> metadata, string clusterId, ICollection<string> problems)
    {
        foreach (var (key, value) in metadata)
        {
            // Matched as the binder matches keys, ignoring case.
            var property = string.IsNullOrEmpty(value)
                ? Array.Find(typeof(TSettings).GetProperties(), candidate => candidate.CanWrite && string.Equals(candidate.Name, key, StringComparison.OrdinalIgnoreCase))
                : null;
            if (property is null)
            {
                continue;
            }

            if (Nullable.GetUnderlyingType(property.PropertyType) is not null)
            {
                property.SetValue(this, null);
            }
            else if (property.PropertyType.IsValueType)
            {
                problems.Add($"Cluster '{clusterId}': Metadata:{key} is empty; give it a value, or leave it out to keep the default.");
            }
        }
    }

    /// <summary>
    /// Binds <paramref name="metadata"/> over these settings. Each settings class calls the binder
    /// on its own type, so the configuration binding source generator writes the code (no
    /// reflection, which Native AOT cannot do).
    /// </summary>
    protected abstract void BindOverrides(IConfiguration metadata);

    /// <summary>Every invalid member with what is wrong with it.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The validator reads TSettings' public properties and their attributes, which the annotation on TSettings keeps.")]
    public IEnumerable<(string Member, string Message)> Problems()
    {
        var results = new List<ValidationResult>();
        var context = new ValidationContext(this, typeof(TSettings).Name, serviceProvider: null, items: null);
        Validator.TryValidateObject(this, context, results, validateAllProperties: true);
        if (this is IValidatableObject validatable)
        {
            // The validator asks an IValidatableObject only once every property is valid. Asked
            // here too, its problems are listed with the properties' instead of on the next start,
            // and not twice when the validator did ask it.
            foreach (var result in validatable.Validate(context))
            {
                if (!results.Any(seen => seen.ErrorMessage == result.ErrorMessage && seen.MemberNames.SequenceEqual(result.MemberNames)))
                {
                    results.Add(result);
                }
            }
        }

        foreach (var result in results)
        {
            foreach (var member in result.MemberNames)
            {
                yield return (member, result.ErrorMessage ?? "is invalid.");
            }
        }
    }

    /// <summary>The current value of <paramref name="member"/>, as configuration would spell it.</summary>
    public string? Describe(string member) => typeof(TSettings).GetProperty(member)?.GetValue(this) switch
    {
        TimeSpan span => TimeSpanText.Shortest(span),
        var value => Convert.ToString(value, CultureInfo.InvariantCulture),
    };
}

/// <summary>What of a settings class is read by reflection, and so must survive trimming.</summary>
internal static class ClusterSettingsMembers
{
    public const DynamicallyAccessedMemberTypes Read =
        DynamicallyAccessedMemberTypes.PublicParameterlessConstructor | DynamicallyAccessedMemberTypes.PublicProperties;
}

/// <summary>Validates the global defaults at start-up, naming the full key and its value.</summary>
internal sealed class ClusterSettingsDefaultsValidator<[DynamicallyAccessedMembers(ClusterSettingsMembers.Read)] TSettings>(string sectionName) : IValidateOptions<TSettings>
    where TSettings : ClusterSettings<TSettings>
{
    public ValidateOptionsResult Validate(string? name, TSettings options)
    {
        var failures = options.Problems()
            .Select(problem => $"{sectionName}:{problem.Member} = '{options.Describe(problem.Member)}': {problem.Message}")
            .ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Rejects a cluster whose metadata overrides are invalid, at start-up and on reload alike.</summary>
internal sealed class ClusterSettingsValidator<[DynamicallyAccessedMembers(ClusterSettingsMembers.Read)] TSettings>(IOptions<TSettings> defaults) : IClusterValidator
    where TSettings : ClusterSettings<TSettings>
{
    public ValueTask ValidateAsync(ClusterConfig cluster, IList<Exception> errors)
    {
        var problems = new List<string>();
        defaults.Value.ResolveFor(cluster, problems);
        foreach (var problem in problems)
        {
            errors.Add(new ArgumentException(problem));
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// Each cluster's resolved settings, computed once per configuration of the cluster: YARP replaces
/// the <see cref="ClusterConfig"/> on every change, so keying on it both refreshes and never leaks.
/// </summary>
internal sealed class ClusterSettingsCache<[DynamicallyAccessedMembers(ClusterSettingsMembers.Read)] TSettings>
    where TSettings : ClusterSettings<TSettings>
{
    private readonly ConditionalWeakTable<ClusterConfig, TSettings> _resolved = new();
    private readonly ConditionalWeakTable<ClusterConfig, TSettings>.CreateValueCallback _resolve;

    public ClusterSettingsCache(IOptions<TSettings> defaults) =>
        _resolve = config => defaults.Value.ResolveFor(config, new List<string>());

    public TSettings For(ClusterConfig cluster) => _resolved.GetValue(cluster, _resolve);
}
