using Ginx.Proxy.Health;
using Ginx.Proxy.LoadBalancing;
using Ginx.Proxy.Upstream;
using YarpPolicies = Yarp.ReverseProxy.LoadBalancing.LoadBalancingPolicies;

namespace Ginx.Proxy.NginxConf;

/// <summary>
/// Reads an <c>upstream</c> block (<c>ngx_http_upstream_module</c>): its servers with their
/// parameters, and its balancing method as the Ginx policy that does the same.
/// </summary>
internal sealed class UpstreamReader(NginxConfProblems problems, AcceptedWithoutEffect accepted)
{
    /// <summary>Directives that tune nginx's connections to the servers; Ginx always reuses its connections.</summary>
    private static readonly HashSet<string> ConnectionTuning = ["keepalive", "keepalive_timeout", "keepalive_requests", "keepalive_time", "zone"];

    public UpstreamBlock? Read(NginxDirective block)
    {
        if (!DirectiveChecks.IsBlock(block, 1, 1, problems))
        {
            return null;
        }

        var name = block.Arguments[0];
        var servers = new List<UpstreamServer>();
        NginxDirective? method = null;
        var policy = GinxLoadBalancingPolicies.WeightedRoundRobin;
        string? hashKey = null;
        foreach (var directive in block.Block!)
        {
            if (directive.Name == "server")
            {
                if (ReadServer(directive) is { } server)
                {
                    servers.Add(server);
                }

                continue;
            }

            if (ConnectionTuning.Contains(directive.Name))
            {
                if (DirectiveChecks.IsSimple(directive, 1, 2, problems))
                {
                    accepted.Add(directive.Name);
                }

                continue;
            }

            if (ReadMethod(directive) is not { } chosen)
            {
                continue;
            }

            if (method is not null)
            {
                problems.Add(directive.Source, $"\"{directive.Name}\" redefines the balancing method \"{method.Name}\" chosen at {method.Source}");
                continue;
            }

            method = directive;
            (policy, hashKey) = chosen;
        }

        if (servers.Count == 0)
        {
            problems.Add(block.Source, $"upstream \"{name}\" has no server");
        }

        if (method is not null && method.Name != "least_conn")
        {
            foreach (var backup in servers.Where(server => server.Backup))
            {
                problems.Add(backup.Source, $"\"backup\" cannot be used with \"{method.Name}\" ({method.Source}), as in nginx: a hash or random pick has no order to fall back in");
            }
        }

        if (method is { Name: "random" })
        {
            foreach (var weighted in servers.Where(server => server.Weight != 1))
            {
                problems.Add(weighted.Source, $"weight={weighted.Weight} with \"random\" ({method.Source}): Ginx's random picks ignore weights, so the weights would be lost; leave them out or balance another way");
            }
        }

        if (method is { Name: not "least_conn" })
        {
            foreach (var slow in servers.Where(server => server.SlowStart > TimeSpan.Zero))
            {
                problems.Add(slow.Source, $"\"slow_start\" cannot be used with \"{method.Name}\" ({method.Source}), as in nginx Plus");
            }
        }

        return new UpstreamBlock(name, servers, policy, hashKey, block.Source);
    }

    private (string Policy, string? HashKey)? ReadMethod(NginxDirective directive)
    {
        switch (directive.Name)
        {
            case "least_conn" when DirectiveChecks.IsSimple(directive, 0, 0, problems):
                return (GinxLoadBalancingPolicies.WeightedLeastRequests, null);
            case "ip_hash" when DirectiveChecks.IsSimple(directive, 0, 0, problems):
                return (GinxLoadBalancingPolicies.ConsistentHash, NginxHashKey.ClientIp);
            case "hash" when DirectiveChecks.IsSimple(directive, 1, 2, problems):
                if (directive.Arguments.Count == 2 && directive.Arguments[1] != "consistent")
                {
                    problems.Add(directive.Source, $"invalid parameter \"{directive.Arguments[1]}\" in \"hash\": only \"consistent\" may follow the key");
                    return null;
                }

                if (NginxHashKey.For(directive.Arguments[0]) is not { } key)
                {
                    problems.Add(directive.Source, $"hash key \"{directive.Arguments[0]}\" is not one Ginx can hash: use one of $remote_addr, $request_uri, $uri, $http_NAME, $cookie_NAME, $arg_NAME");
                    return null;
                }

                return (GinxLoadBalancingPolicies.ConsistentHash, key);
            case "random" when DirectiveChecks.IsSimple(directive, 0, 2, problems):
                return ReadRandom(directive);
            case "least_conn" or "ip_hash" or "hash" or "random":
                return null;
            default:
                DirectiveChecks.AcceptHarmlessOrReport(directive, isHarmless: false, "in upstream",
                    "server, least_conn, ip_hash, hash, random, keepalive, keepalive_timeout, keepalive_requests, keepalive_time and zone", problems, accepted);
                return null;
        }
    }

    private (string Policy, string? HashKey)? ReadRandom(NginxDirective directive)
    {
        var arguments = directive.Arguments;
        if (arguments.Count == 0)
        {
            return (YarpPolicies.Random, null);
        }

        if (arguments[0] != "two")
        {
            problems.Add(directive.Source, $"invalid parameter \"{arguments[0]}\" in \"random\": expected \"two\"");
            return null;
        }

        if (arguments.Count == 2 && arguments[1] != "least_conn")
        {
            problems.Add(directive.Source, $"\"random two {arguments[1]}\": Ginx picks the less loaded of two as least_conn does; it has no {arguments[1]}");
            return null;
        }

        return (YarpPolicies.PowerOfTwoChoices, null);
    }

    private UpstreamServer? ReadServer(NginxDirective directive)
    {
        if (!DirectiveChecks.IsSimple(directive, 1, int.MaxValue, problems))
        {
            return null;
        }

        if (!UpstreamAddress.TryParse(directive.Arguments[0], out var authority, out var error))
        {
            problems.Add(directive.Source, error!);
            return null;
        }

        var server = new UpstreamServer(authority, directive.Source);
        var valid = true;
        foreach (var parameter in directive.Arguments.Skip(1))
        {
            var equals = parameter.IndexOf('=', StringComparison.Ordinal);
            var (name, value) = equals < 0 ? (parameter, "") : (parameter[..equals], parameter[(equals + 1)..]);
            UpstreamServer? next = name switch
            {
                "backup" when equals < 0 => server with { Backup = true },
                "down" when equals < 0 => server with { Down = true },
                "weight" when NginxUnits.TryParseCount(value, out var weight) && weight is >= 1 and <= DestinationMetadata.MaxWeight => server with { Weight = weight },
                "max_fails" when NginxUnits.TryParseCount(value, out var maxFails) && maxFails <= PassiveHealthOptions.MostMaxFails => server with { MaxFails = maxFails },
                "max_conns" when NginxUnits.TryParseCount(value, out var maxConns) => server with { MaxConns = maxConns },
                "fail_timeout" when NginxUnits.TryParseTime(value, out var failTimeout) => server with { FailTimeout = failTimeout },
                "slow_start" when NginxUnits.TryParseTime(value, out var slowStart) => server with { SlowStart = slowStart },
                _ => null,
            };
            if (next is null)
            {
                problems.Add(directive.Source, InvalidParameter(name, parameter));
                valid = false;
                continue;
            }

            server = next;
        }

        return valid ? server : null;
    }

    private static string InvalidParameter(string name, string parameter) => name switch
    {
        "weight" => $"invalid parameter \"{parameter}\": weight is a whole number from 1 to {DestinationMetadata.MaxWeight} (Ginx's largest)",
        "max_fails" => $"invalid parameter \"{parameter}\": max_fails is a whole number from 0 to {PassiveHealthOptions.MostMaxFails}",
        "max_conns" => $"invalid parameter \"{parameter}\": max_conns is a whole number, 0 for no limit",
        "fail_timeout" or "slow_start" => $"invalid parameter \"{parameter}\": {name} is a time such as 10s or 500ms",
        "resolve" or "service" or "route" or "drain" => $"invalid parameter \"{parameter}\": Ginx does not support nginx Plus's \"{name}\"",
        _ => $"invalid parameter \"{parameter}\"",
    };
}
