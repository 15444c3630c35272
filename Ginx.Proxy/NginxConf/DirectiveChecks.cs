namespace Ginx.Proxy.NginxConf;

/// <summary>The checks every directive gets: how many arguments, and whether it takes a block.</summary>
internal static class DirectiveChecks
{
    /// <summary>True when <paramref name="directive"/> has <paramref name="min"/> to <paramref name="max"/> arguments and no block; otherwise records why.</summary>
    public static bool IsSimple(NginxDirective directive, int min, int max, NginxConfProblems problems)
    {
        if (directive.Block is not null)
        {
            problems.Add(directive.Source, $"\"{directive.Name}\" takes no block");
            return false;
        }

        return HasArguments(directive, min, max, problems);
    }

    /// <summary>True when <paramref name="directive"/> has a block and <paramref name="min"/> to <paramref name="max"/> arguments; otherwise records why.</summary>
    public static bool IsBlock(NginxDirective directive, int min, int max, NginxConfProblems problems)
    {
        if (directive.Block is null)
        {
            problems.Add(directive.Source, $"\"{directive.Name}\" needs a {{ … }} block");
            return false;
        }

        return HasArguments(directive, min, max, problems);
    }

    /// <summary>
    /// Notes a directive that is harmless where it is (<paramref name="isHarmless"/>) as accepted
    /// without effect; reports any other as unknown in <paramref name="context"/>, saying what Ginx reads there.
    /// </summary>
    public static void AcceptHarmlessOrReport(NginxDirective directive, bool isHarmless, string context, string reads, NginxConfProblems problems, AcceptedWithoutEffect accepted)
    {
        if (isHarmless)
        {
            accepted.Add(directive.Name);
        }
        else
        {
            problems.Add(directive.Source, $"unknown directive \"{directive.Name}\" {context}: Ginx reads {reads}");
        }
    }

    private static bool HasArguments(NginxDirective directive, int min, int max, NginxConfProblems problems)
    {
        var count = directive.Arguments.Count;
        if (count >= min && count <= max)
        {
            return true;
        }

        var expected = min == max ? $"{min}" : max == int.MaxValue ? $"at least {min}" : $"{min} to {max}";
        problems.Add(directive.Source, $"invalid number of arguments in \"{directive.Name}\": expected {expected}, got {count}");
        return false;
    }
}
