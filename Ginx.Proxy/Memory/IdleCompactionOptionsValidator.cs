using Ginx.Proxy.Configuration;
using Microsoft.Extensions.Options;

namespace Ginx.Proxy.Memory;

/// <summary>Rejects idle compaction settings out of range, naming the key and the value.</summary>
internal sealed class IdleCompactionOptionsValidator : IValidateOptions<IdleCompactionOptions>
{
    public ValidateOptionsResult Validate(string? name, IdleCompactionOptions options)
    {
        var problems = new List<string>();
        if (options.QuietPeriod < IdleCompactionOptions.ShortestQuietPeriod || options.QuietPeriod > IdleCompactionOptions.LongestQuietPeriod)
        {
            problems.Add($"{Key(nameof(IdleCompactionOptions.QuietPeriod))} = '{TimeSpanText.Shortest(options.QuietPeriod)}': must be between "
                + $"{TimeSpanText.Shortest(IdleCompactionOptions.ShortestQuietPeriod)} and {TimeSpanText.Shortest(IdleCompactionOptions.LongestQuietPeriod)}.");
        }

        CheckUnits(nameof(IdleCompactionOptions.QuietAllocationKilobytes), options.QuietAllocationKilobytes, problems);
        CheckUnits(nameof(IdleCompactionOptions.MinGrowthMegabytes), options.MinGrowthMegabytes, problems);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static void CheckUnits(string member, int value, List<string> problems)
    {
        if (value is < 1 or > IdleCompactionOptions.MostUnits)
        {
            problems.Add($"{Key(member)} = '{value}': must be between 1 and {IdleCompactionOptions.MostUnits}.");
        }
    }

    private static string Key(string member) => IdleCompactionOptions.SectionName + ":" + member;
}
