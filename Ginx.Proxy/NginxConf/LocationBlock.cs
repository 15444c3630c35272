namespace Ginx.Proxy.NginxConf;

/// <summary>
/// A <c>location</c> as a YARP route: its path pattern, the path transforms that do what
/// <c>proxy_pass</c>'s URI part does, its target and the settings in force in it.
/// </summary>
/// <param name="Label">The location as written (<c>/api/</c>, <c>= /health</c>), for route ids and messages.</param>
/// <param name="RoutePath">The YARP route's <c>Match:Path</c>.</param>
/// <param name="PathTransforms">YARP path transforms (key, value), none when the path goes through unchanged.</param>
internal sealed record LocationBlock(
    string Label,
    string RoutePath,
    IReadOnlyList<KeyValuePair<string, string>> PathTransforms,
    ProxyPass Pass,
    ProxySettings Settings,
    NginxSource Source)
{
    public static LocationBlock? Read(NginxDirective directive, ProxySettings inherited, NginxConfProblems problems, AcceptedWithoutEffect accepted)
    {
        if (!DirectiveChecks.IsBlock(directive, 1, 2, problems) || ReadPattern(directive, problems) is not var (exact, path))
        {
            return null;
        }

        var settings = inherited.Inherit();
        ProxyPass? pass = null;
        var passSeen = false;
        foreach (var inner in directive.Block!)
        {
            if (settings.TryApply(inner, problems, accepted))
            {
                continue;
            }

            switch (inner.Name)
            {
                case "proxy_pass" when passSeen:
                    problems.Add(inner.Source, "\"proxy_pass\" is duplicate");
                    break;
                case "proxy_pass":
                    passSeen = true;
                    pass = ProxyPass.Read(inner, problems);
                    break;
                case "location":
                    problems.Add(inner.Source, "nested locations are not supported by Ginx; write each location inside the server");
                    break;
                default:
                    DirectiveChecks.AcceptHarmlessOrReport(inner, HarmlessDirectives.IsHarmlessInHttp(inner.Name), "in location",
                        "proxy_pass, proxy_next_upstream*, proxy_connect_timeout, proxy_read_timeout, proxy_set_header, proxy_http_version, proxy_buffering and client_max_body_size",
                        problems, accepted);
                    break;
            }
        }

        var label = exact ? "= " + path : path;
        if (!passSeen)
        {
            problems.Add(directive.Source, $"location \"{label}\" has no proxy_pass: Ginx only proxies");
        }

        if (pass is null || RewriteOf(exact, path, pass, problems) is not { } transforms)
        {
            return null;
        }

        var routePath = exact ? path : path + "{**catch-all}";
        return new LocationBlock(label, routePath, transforms, pass, settings, directive.Source);
    }

    private static (bool Exact, string Path)? ReadPattern(NginxDirective directive, NginxConfProblems problems)
    {
        var arguments = directive.Arguments;
        var (modifier, path) = arguments.Count == 2 ? (arguments[0], arguments[1])
            : arguments[0].StartsWith("^~", StringComparison.Ordinal) ? ("^~", arguments[0][2..])
            : arguments[0].StartsWith('=') ? ("=", arguments[0][1..])
            : ("", arguments[0]);
        if (modifier is "~" or "~*" || path.StartsWith('~') || path.StartsWith('@'))
        {
            problems.Add(directive.Source, $"location \"{string.Join(' ', arguments)}\": Ginx matches prefix (/path/) and exact (= /path) locations; regular expressions and named locations are not supported");
            return null;
        }

        if (modifier is not ("" or "=" or "^~"))
        {
            problems.Add(directive.Source, $"invalid location modifier \"{modifier}\"");
            return null;
        }

        if (!path.StartsWith('/') || path.IndexOfAny(['{', '}', '*', '?']) >= 0)
        {
            problems.Add(directive.Source, $"location \"{path}\": Ginx matches a path that starts with / and has no {{, }}, * or ?");
            return null;
        }

        // A YARP route matches whole segments: /api/ matches /api/x but, unlike nginx's /api, not /apix.
        if (modifier != "=" && !path.EndsWith('/'))
        {
            problems.Add(directive.Source, $"location \"{path}\": nginx also matches \"{path}x…\" here, which Ginx cannot; write \"location {path}/\" (or \"location = {path}\")");
            return null;
        }

        // "^~" only stops regular-expression locations from being tried; Ginx has none.
        return (modifier == "=", path);
    }

    private static List<KeyValuePair<string, string>>? RewriteOf(bool exact, string path, ProxyPass pass, NginxConfProblems problems)
    {
        if (pass.Uri is not { } uri || uri == path)
        {
            return [];
        }

        if (exact)
        {
            return [new("PathSet", uri)];
        }

        if (!uri.EndsWith('/'))
        {
            problems.Add(pass.Source, $"\"proxy_pass …{uri}\" in location \"{path}\": Ginx replaces the location by the URI segment by segment, so the URI must end with / as the location does");
            return null;
        }

        var transforms = new List<KeyValuePair<string, string>>();
        if (path.Length > 1)
        {
            transforms.Add(new("PathRemovePrefix", path.TrimEnd('/')));
        }

        if (uri.Length > 1)
        {
            transforms.Add(new("PathPrefix", uri.TrimEnd('/')));
        }

        return transforms;
    }
}
