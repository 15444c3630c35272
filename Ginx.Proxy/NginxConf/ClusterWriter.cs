using System.Globalization;
using Ginx.Proxy.Configuration;
using Ginx.Proxy.Health;
using Ginx.Proxy.LoadBalancing;
using Ginx.Proxy.Upstream;
using Ginx.Proxy.Retries;

namespace Ginx.Proxy.NginxConf;

/// <summary>
/// Writes one YARP cluster per upstream (and per single server a <c>proxy_pass</c> names directly),
/// with Ginx's metadata for what nginx writes on the <c>server</c> lines and in the locations.
/// </summary>
internal sealed class ClusterWriter(IReadOnlyList<UpstreamBlock> upstreams, NginxConfProblems problems)
{
    private readonly List<UpstreamBlock> _clusters = [.. upstreams];
    private readonly Dictionary<string, ClusterAgreement> _agreements = [];

    /// <summary>The cluster <paramref name="location"/> proxies to, or null (reported) when its upstream is unknown.</summary>
    public string? Use(LocationBlock location)
    {
        var pass = location.Pass;
        var clusterId = pass.IsAddress ? AddressCluster(pass) : pass.Target;
        if (!_clusters.Exists(cluster => cluster.Name == clusterId))
        {
            problems.Add(pass.Source, $"unknown upstream \"{pass.Target}\" in proxy_pass: no upstream block has that name, and Ginx does not resolve a bare host name (write host:port for a single server)");
            return null;
        }

        if (!_agreements.TryGetValue(clusterId, out var agreement))
        {
            _agreements[clusterId] = agreement = new ClusterAgreement(clusterId);
        }

        agreement.Add(location, problems);
        return clusterId;
    }

    public void Write(ConfigurationEntries entries)
    {
        foreach (var cluster in _clusters)
        {
            var agreement = _agreements.GetValueOrDefault(cluster.Name) ?? new ClusterAgreement(cluster.Name);
            Write(entries, cluster, agreement);
        }
    }

    private void Write(ConfigurationEntries entries, UpstreamBlock cluster, ClusterAgreement agreement)
    {
        void Add(string value, params string[] path) => entries.Add(value, ["Clusters", cluster.Name, .. path]);

        var defaults = ProxySettings.Defaults;
        Add(cluster.Policy, "LoadBalancingPolicy");
        Add(Time(agreement, "proxy_read_timeout", defaults.ReadTimeout.Value), "HttpRequest", "ActivityTimeout");
        Add(agreement.Get("proxy_http_version", defaults.HttpVersion.Value), "HttpRequest", "Version");
        Add("RequestVersionExact", "HttpRequest", "VersionPolicy");
        if (cluster.HashKey is { } hashKey)
        {
            Add(hashKey, "Metadata", HashKey.MetadataKey);
        }

        Add(Tries(cluster, agreement), "Metadata", nameof(RetryOptions.Tries));
        Add(agreement.Get("proxy_next_upstream", defaults.RetryOn.Value), "Metadata", nameof(RetryOptions.RetryOn));
        if (FailureCounting(cluster) is var (maxFails, failTimeout))
        {
            Add(maxFails.ToString(CultureInfo.InvariantCulture), "Metadata", nameof(PassiveHealthOptions.MaxFails));
            Add(TimeSpanText.Shortest(failTimeout), "Metadata", nameof(PassiveHealthOptions.FailTimeout));
        }

        Add(Time(agreement, "proxy_connect_timeout", defaults.ConnectTimeout.Value), "Metadata", ConnectTimeoutHttpClientFactory.MetadataKey);

        var scheme = agreement.Get("the scheme", "http");
        for (var i = 0; i < cluster.Servers.Count; i++)
        {
            WriteDestination(entries, cluster.Name, $"{cluster.Name}-{i + 1}", scheme, cluster.Servers[i]);
        }
    }

    private static void WriteDestination(ConfigurationEntries entries, string clusterId, string destinationId, string scheme, UpstreamServer server)
    {
        void Add(string value, params string[] path) => entries.Add(value, ["Clusters", clusterId, "Destinations", destinationId, .. path]);

        Add($"{scheme}://{server.Authority}", "Address");
        if (server.Weight != 1)
        {
            Add(server.Weight.ToString(CultureInfo.InvariantCulture), "Metadata", DestinationMetadata.Weight);
        }

        if (server.Backup)
        {
            Add("true", "Metadata", DestinationMetadata.Backup);
        }

        if (server.Down)
        {
            Add("true", "Metadata", DestinationMetadata.Down);
        }

        if (server.MaxConns > 0)
        {
            Add(server.MaxConns.ToString(CultureInfo.InvariantCulture), "Metadata", DestinationMetadata.MaxConns);
        }

        if (server.SlowStart > TimeSpan.Zero)
        {
            Add(TimeSpanText.Shortest(server.SlowStart), "Metadata", DestinationMetadata.SlowStart);
        }
    }

    // nginx's 0 means "every server once"; Ginx counts tries, and never repeats a server in one request.
    private static string Tries(UpstreamBlock cluster, ClusterAgreement agreement)
    {
        var tries = int.Parse(agreement.Get("proxy_next_upstream_tries", "0"), CultureInfo.InvariantCulture);
        var servers = cluster.Servers.Count(server => !server.Down);
        return (tries == 0 ? Math.Clamp(servers, 1, RetryOptions.MostTries) : tries).ToString(CultureInfo.InvariantCulture);
    }

    private static string Time(ClusterAgreement agreement, string setting, TimeSpan fallback) =>
        NginxUnits.TryParseTime(agreement.Get(setting, NginxUnits.Describe(fallback)), out var time) ? TimeSpanText.Shortest(time) : TimeSpanText.Shortest(fallback);

    // Ginx counts failures per cluster: the servers must agree, as the locations must.
    private (int MaxFails, TimeSpan FailTimeout)? FailureCounting(UpstreamBlock cluster)
    {
        var counted = cluster.Servers.Where(server => !server.Down).ToList();
        if (counted.Count == 0)
        {
            return (UpstreamServer.DefaultMaxFails, UpstreamServer.DefaultFailTimeout);
        }

        var first = counted[0];
        var agreed = true;
        foreach (var server in counted.Skip(1).Where(server => server.MaxFails != first.MaxFails || server.FailTimeout != first.FailTimeout))
        {
            problems.Add(server.Source, $"max_fails={server.MaxFails} fail_timeout={NginxUnits.Describe(server.FailTimeout)} differs from max_fails={first.MaxFails} fail_timeout={NginxUnits.Describe(first.FailTimeout)} at {first.Source}; Ginx counts failures the same way for every server of upstream \"{cluster.Name}\", so give them all the same max_fails and fail_timeout");
            agreed = false;
        }

        var range = PassiveHealthOptions.FailTimeoutRange;
        if (!range.IsValid(first.FailTimeout))
        {
            problems.Add(first.Source, $"fail_timeout={NginxUnits.Describe(first.FailTimeout)}: Ginx takes a fail_timeout from {NginxUnits.Describe(range.Minimum)} to {NginxUnits.Describe(range.Maximum)}");
            agreed = false;
        }

        return agreed ? (first.MaxFails, first.FailTimeout) : null;
    }

    private string AddressCluster(ProxyPass pass)
    {
        var clusterId = pass.Target.Replace("[", "", StringComparison.Ordinal).Replace("]", "", StringComparison.Ordinal).Replace(':', '-');
        if (!_clusters.Exists(cluster => cluster.Name == clusterId))
        {
            _clusters.Add(new UpstreamBlock(clusterId, [new UpstreamServer(pass.Target, pass.Source)], GinxLoadBalancingPolicies.WeightedRoundRobin, null, pass.Source));
        }

        return clusterId;
    }
}
