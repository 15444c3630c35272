using Ginx.Proxy.Health;

namespace Ginx.Proxy.NginxConf;

/// <summary>
/// Translates an nginx configuration's directive tree into Ginx's: the top level and its
/// <c>events</c> and <c>http</c> blocks; the <c>upstream</c> blocks become clusters and the
/// <c>server</c> blocks' locations routes. Everything wrong is reported, nothing is guessed.
/// </summary>
internal sealed class NginxConfTranslator
{
    private readonly NginxConfProblems _problems;
    private readonly AcceptedWithoutEffect _accepted = new();
    private readonly List<UpstreamBlock> _upstreams = [];
    private readonly List<ServerBlock> _servers = [];

    private NginxConfTranslator(NginxConfProblems problems) => _problems = problems;

    /// <summary>The translation of <paramref name="directives"/> (those of <paramref name="file"/>); valid only when <paramref name="problems"/> stays empty.</summary>
    public static NginxConfTranslation Translate(IReadOnlyList<NginxDirective> directives, string file, NginxConfProblems problems)
    {
        var translator = new NginxConfTranslator(problems);
        translator.ReadMain(directives, file);
        var reverseProxy = new ConfigurationEntries();
        var routes = new RouteWriter(translator._servers, problems);
        var clusters = new ClusterWriter(translator._upstreams, problems);
        routes.Write(reverseProxy, clusters);
        clusters.Write(reverseProxy);

        // nginx has no outlier detection: only max_fails takes a server out.
        var ginx = new ConfigurationEntries();
        ginx.Add("0", PassiveHealthOptions.SectionName, nameof(PassiveHealthOptions.Consecutive5xx));
        ginx.Add("0", PassiveHealthOptions.SectionName, nameof(PassiveHealthOptions.SuccessRateStdevFactor));
        return new NginxConfTranslation(reverseProxy, ginx, routes.Urls, translator._accepted.Names);
    }

    private void ReadMain(IReadOnlyList<NginxDirective> directives, string file)
    {
        NginxDirective? http = null;
        foreach (var directive in directives)
        {
            switch (directive.Name)
            {
                case "http" when http is not null:
                    _problems.Add(directive.Source, $"\"http\" is duplicate (first at {http.Source})");
                    break;
                case "http":
                    http = directive;
                    if (DirectiveChecks.IsBlock(directive, 0, 0, _problems))
                    {
                        ReadHttp(directive.Block!);
                    }

                    break;
                case "events":
                    if (DirectiveChecks.IsBlock(directive, 0, 0, _problems))
                    {
                        _accepted.Add("events");
                    }

                    break;
                case "stream" or "mail":
                    _problems.Add(directive.Source, $"\"{directive.Name}\": Ginx proxies HTTP only");
                    break;
                default:
                    DirectiveChecks.AcceptHarmlessOrReport(directive, HarmlessDirectives.IsHarmlessInMain(directive.Name),
                        "at the top level", "events, http and process settings such as worker_processes", _problems, _accepted);
                    break;
            }
        }

        if (http is null)
        {
            _problems.Add(file, "has no http block, so nothing to proxy");
        }
    }

    private void ReadHttp(IReadOnlyList<NginxDirective> block)
    {
        // As in nginx, a setting of the http level reaches every server wherever it is written.
        var settings = ProxySettings.Defaults.Inherit();
        var others = block.Where(directive => !settings.TryApply(directive, _problems, _accepted)).ToList();
        var upstreamReader = new UpstreamReader(_problems, _accepted);
        foreach (var directive in others)
        {
            switch (directive.Name)
            {
                case "upstream":
                    AddUpstream(upstreamReader.Read(directive));
                    break;
                case "server":
                    if (ServerBlock.Read(directive, _servers.Count + 1, settings, _problems, _accepted) is { } server)
                    {
                        _servers.Add(server);
                    }

                    break;
                default:
                    DirectiveChecks.AcceptHarmlessOrReport(directive, HarmlessDirectives.IsHarmlessInHttp(directive.Name),
                        "in http", "upstream, server and the proxy settings", _problems, _accepted);
                    break;
            }
        }
    }

    private void AddUpstream(UpstreamBlock? upstream)
    {
        if (upstream is null)
        {
            return;
        }

        if (_upstreams.Find(other => other.Name == upstream.Name) is { } first)
        {
            _problems.Add(upstream.Source, $"duplicate upstream \"{upstream.Name}\" (first at {first.Source})");
            return;
        }

        _upstreams.Add(upstream);
    }
}
