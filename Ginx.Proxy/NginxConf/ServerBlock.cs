namespace Ginx.Proxy.NginxConf;

/// <summary>A virtual <c>server</c>: where it listens, the host names it answers, its locations.</summary>
/// <param name="Label">What names it in route ids: its first name, or <c>server</c> and its position.</param>
internal sealed record ServerBlock(
    string Label,
    IReadOnlyList<string> Names,
    IReadOnlyList<ListenAddress> Listens,
    IReadOnlyList<LocationBlock> Locations,
    NginxSource Source)
{
    public static ServerBlock? Read(NginxDirective directive, int position, ProxySettings inherited, NginxConfProblems problems, AcceptedWithoutEffect accepted)
    {
        if (!DirectiveChecks.IsBlock(directive, 0, 0, problems))
        {
            return null;
        }

        // nginx merges a level's settings into its locations wherever in the block they are written.
        var settings = inherited.Inherit();
        var others = directive.Block!.Where(inner => !settings.TryApply(inner, problems, accepted)).ToList();

        var names = new List<string>();
        var listens = new List<ListenAddress>();
        var locations = new List<LocationBlock>();
        var labels = new Dictionary<string, NginxSource>();
        foreach (var inner in others)
        {
            switch (inner.Name)
            {
                case "listen":
                    if (ListenAddress.Read(inner, problems, accepted) is { } listen)
                    {
                        listens.Add(listen);
                    }

                    break;
                case "server_name":
                    names.AddRange(ServerNames.Read(inner, problems));
                    break;
                case "location":
                    if (LocationBlock.Read(inner, settings, problems, accepted) is not { } location)
                    {
                        break;
                    }

                    if (labels.TryGetValue(location.Label, out var first))
                    {
                        problems.Add(inner.Source, $"duplicate location \"{location.Label}\" (first at {first})");
                        break;
                    }

                    labels[location.Label] = inner.Source;
                    locations.Add(location);
                    break;
                default:
                    DirectiveChecks.AcceptHarmlessOrReport(inner, HarmlessDirectives.IsHarmlessInHttp(inner.Name),
                        "in server", "listen, server_name, location and the proxy settings", problems, accepted);
                    break;
            }
        }

        if (!others.Any(inner => inner.Name == "location"))
        {
            problems.Add(directive.Source, "server has no location: Ginx only proxies, so give it a location with proxy_pass");
        }

        var label = names.FirstOrDefault(name => !name.StartsWith('*')) ?? $"server{position}";
        return new ServerBlock(label, names.Distinct(StringComparer.OrdinalIgnoreCase).ToList(), listens, locations, directive.Source);
    }
}
