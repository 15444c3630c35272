using System.Globalization;

namespace Ginx.Proxy.NginxConf;

/// <summary>
/// Writes one YARP route per location, and the public URLs from the <c>listen</c> directives. With
/// several servers, each answers its <c>server_name</c>s (route <c>Match:Hosts</c>); the default
/// server of a port (<c>default_server</c>, else the first) answers every other host, through routes
/// ordered after the named ones. Servers on different ports tell their hosts apart by port too.
/// </summary>
internal sealed class RouteWriter(IReadOnlyList<ServerBlock> servers, NginxConfProblems problems)
{
    private const int UnsetPort = -1;

    /// <summary>The <c>urls</c> setting, or null when no server has a <c>listen</c>.</summary>
    public string? Urls { get; private set; }

    public void Write(ConfigurationEntries entries, ClusterWriter clusters)
    {
        var listening = servers.Where(server => server.Listens.Count > 0).ToList();
        if (listening.Count > 0 && listening.Count < servers.Count)
        {
            foreach (var server in servers.Where(server => server.Listens.Count == 0))
            {
                problems.Add(server.Source, "this server has no listen while others do; give every server a listen (nginx's default is *:80) or none");
            }
        }

        Urls = listening.Count == 0 ? null : string.Join(';', listening.SelectMany(server => server.Listens).Select(listen => listen.Url).Distinct());
        var ports = servers.ToDictionary(server => server, Ports);
        var samePorts = ports.Values.All(set => set.SetEquals(ports[servers[0]]));
        var defaults = DefaultServers(ports);
        foreach (var server in servers)
        {
            var defaultPorts = ports[server].Where(port => defaults[port] == server).Order().ToList();
            var otherPorts = ports[server].Where(port => defaults[port] != server).Order().ToList();
            var named = samePorts
                ? defaultPorts.Count > 0 ? [] : server.Names.ToList()
                : server.Names.SelectMany(name => otherPorts.Select(port => $"{name}:{port}")).ToList();
            var fallback = samePorts ? [] : defaultPorts.Select(port => $"*:{port}").ToList();
            var isFallback = defaultPorts.Count > 0;
            if (servers.Count > 1 && !isFallback && named.Count == 0)
            {
                problems.Add(server.Source, "this server has no server_name and is not the default server of its port, so no request would reach it");
                continue;
            }

            foreach (var location in server.Locations)
            {
                if (clusters.Use(location) is not { } clusterId)
                {
                    continue;
                }

                var id = servers.Count == 1 ? location.Label : $"{server.Label} {location.Label}";
                if (named.Count > 0 || !isFallback)
                {
                    WriteRoute(entries, id, clusterId, location, named, order: null);
                }

                if (isFallback && servers.Count > 1)
                {
                    WriteRoute(entries, named.Count > 0 ? id + " (default)" : id, clusterId, location, fallback, order: 1);
                }
                else if (isFallback)
                {
                    WriteRoute(entries, id, clusterId, location, [], order: null);
                }
            }
        }
    }

    private static HashSet<int> Ports(ServerBlock server) =>
        server.Listens.Count == 0 ? [UnsetPort] : server.Listens.Select(listen => listen.Port).ToHashSet();

    private Dictionary<int, ServerBlock> DefaultServers(Dictionary<ServerBlock, HashSet<int>> ports)
    {
        var defaults = new Dictionary<int, ServerBlock>();
        foreach (var server in servers)
        {
            foreach (var listen in server.Listens.Where(listen => listen.IsDefaultServer))
            {
                if (defaults.TryGetValue(listen.Port, out var other) && other != server)
                {
                    problems.Add(server.Source, $"a duplicate default server for port {listen.Port} (first at {other.Source})");
                    continue;
                }

                defaults[listen.Port] = server;
            }
        }

        foreach (var server in servers)
        {
            foreach (var port in ports[server])
            {
                defaults.TryAdd(port, server);
            }
        }

        return defaults;
    }

    private static void WriteRoute(ConfigurationEntries entries, string id, string clusterId, LocationBlock location, List<string> hosts, int? order)
    {
        void Add(string value, params string[] path) => entries.Add(value, ["Routes", id, .. path]);

        Add(clusterId, "ClusterId");
        if (order is { } value)
        {
            Add(value.ToString(CultureInfo.InvariantCulture), "Order");
        }

        Add(location.RoutePath, "Match", "Path");
        for (var i = 0; i < hosts.Count; i++)
        {
            Add(hosts[i], "Match", "Hosts", i.ToString(CultureInfo.InvariantCulture));
        }

        var bodyLimit = location.Settings.ClientMaxBodySize.Value;
        Add(bodyLimit == 0 ? "-1" : bodyLimit.ToString(CultureInfo.InvariantCulture), "MaxRequestBodySize");
        var transforms = location.PathTransforms.Select(transform => new List<KeyValuePair<string, string>> { transform })
            .Concat(ProxyHeaderTransforms.For(location.Settings.Headers))
            .ToList();
        for (var i = 0; i < transforms.Count; i++)
        {
            foreach (var (key, text) in transforms[i])
            {
                Add(text, "Transforms", i.ToString(CultureInfo.InvariantCulture), key);
            }
        }
    }
}
