using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Ginx.Proxy.Configuration;

/// <summary>
/// <see cref="RangeAttribute"/> for a <see cref="TimeSpan"/>, with the same message. Range's own
/// <c>typeof(TimeSpan)</c> form converts its bounds through a <c>TypeConverter</c> found by
/// reflection, which trimming and Native AOT cannot vouch for; this parses them directly.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class TimeSpanRangeAttribute(string minimum, string maximum)
    : ValidationAttribute("The field {0} must be between {1} and {2}.")
{
    /// <summary>The shortest value allowed.</summary>
    public TimeSpan Minimum { get; } = TimeSpan.Parse(minimum, CultureInfo.InvariantCulture);

    /// <summary>The longest value allowed.</summary>
    public TimeSpan Maximum { get; } = TimeSpan.Parse(maximum, CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public override bool IsValid(object? value) =>
        value is null || (value is TimeSpan span && span >= Minimum && span <= Maximum);

    /// <inheritdoc/>
    public override string FormatErrorMessage(string name) =>
        string.Format(CultureInfo.CurrentCulture, ErrorMessageString, name, minimum, maximum);
}
