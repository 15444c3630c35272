namespace Ginx.Proxy.NginxConf;

/// <summary>
/// A <c>server_name</c> as YARP route hosts: exact names and <c>*.example.com</c> as written,
/// <c>.example.com</c> as both <c>example.com</c> and <c>*.example.com</c>; <c>_</c> and <c>""</c>
/// name no host. Regular expressions and trailing wildcards (<c>www.example.*</c>) have no YARP
/// equivalent and are refused.
/// </summary>
internal static class ServerNames
{
    public static IEnumerable<string> Read(NginxDirective directive, NginxConfProblems problems)
    {
        if (!DirectiveChecks.IsSimple(directive, 1, int.MaxValue, problems))
        {
            yield break;
        }

        foreach (var name in directive.Arguments)
        {
            if (name is "" or "_")
            {
                continue;
            }

            if (name.StartsWith('~') || name.EndsWith(".*", StringComparison.Ordinal) || name.Contains('$', StringComparison.Ordinal))
            {
                problems.Add(directive.Source, $"server name \"{name}\": Ginx matches exact names and leading wildcards (*.example.com, .example.com) only");
                continue;
            }

            if (name.StartsWith('.'))
            {
                yield return name[1..];
                yield return "*" + name;
                continue;
            }

            yield return name;
        }
    }
}
