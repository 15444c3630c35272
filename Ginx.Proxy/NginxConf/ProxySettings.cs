using Ginx.Proxy.Retries;
using Ginx.Proxy.Upstream;

namespace Ginx.Proxy.NginxConf;

/// <summary>A setting's value and the directive that set it; no source: nginx's default.</summary>
internal readonly record struct Setting<T>(T Value, NginxSource? Source);

/// <summary>A <c>proxy_set_header</c>.</summary>
internal sealed record ProxyHeader(string Name, string Value, NginxSource Source);

/// <summary>
/// The <c>proxy_*</c> and <c>client_max_body_size</c> settings in force at one level (<c>http</c>,
/// <c>server</c>, <c>location</c>), inherited by the levels inside it unless they set their own, as
/// in nginx. <c>proxy_set_header</c> is inherited only by a level that sets none.
/// </summary>
internal sealed class ProxySettings
{
    /// <summary>nginx's defaults.</summary>
    public static readonly ProxySettings Defaults = new();

    private readonly Dictionary<string, NginxSource> _setHere = [];
    private List<ProxyHeader> _headers = [];
    private bool _headersSetHere;

    public Setting<string> RetryOn { get; private set; } = new("error, timeout", null);

    /// <summary>0: as many as the upstream has servers.</summary>
    public Setting<int> Tries { get; private set; } = new(0, null);

    public Setting<TimeSpan> ConnectTimeout { get; private set; } = new(TimeSpan.FromSeconds(60), null);

    public Setting<TimeSpan> ReadTimeout { get; private set; } = new(TimeSpan.FromSeconds(60), null);

    /// <summary>nginx speaks HTTP/1.0 unless told; Ginx keeps connections alive, so 1.1 (see the README).</summary>
    public Setting<string> HttpVersion { get; private set; } = new("1.1", null);

    public Setting<long> ClientMaxBodySize { get; private set; } = new(1024 * 1024, null);

    public IReadOnlyList<ProxyHeader> Headers => _headers;

    /// <summary>The settings of a level inside this one.</summary>
    public ProxySettings Inherit() => new()
    {
        RetryOn = RetryOn,
        Tries = Tries,
        ConnectTimeout = ConnectTimeout,
        ReadTimeout = ReadTimeout,
        HttpVersion = HttpVersion,
        ClientMaxBodySize = ClientMaxBodySize,
        _headers = _headers,
    };

    /// <summary>Applies <paramref name="directive"/> if it is one of these settings (true), recording what is wrong with it.</summary>
    public bool TryApply(NginxDirective directive, NginxConfProblems problems, AcceptedWithoutEffect accepted)
    {
        switch (directive.Name)
        {
            case "proxy_next_upstream":
                if (Claim(directive, 1, int.MaxValue, problems) && ReadRetryOn(directive, problems) is { } retryOn)
                {
                    RetryOn = new(retryOn, directive.Source);
                }

                return true;
            case "proxy_next_upstream_tries":
                if (Claim(directive, 1, 1, problems) && ReadTries(directive, problems) is { } tries)
                {
                    Tries = new(tries, directive.Source);
                }

                return true;
            case "proxy_next_upstream_timeout":
                if (Claim(directive, 1, 1, problems) && ReadTime(directive, problems) is { } limit && limit != TimeSpan.Zero)
                {
                    Refuse(directive, problems, "Ginx does not limit the total time of the tries, only each one (proxy_read_timeout); only 0 (no limit) is accepted");
                }

                return true;
            case "proxy_connect_timeout":
                if (Claim(directive, 1, 1, problems) && ReadPositiveTime(directive, problems) is { } connect)
                {
                    ConnectTimeout = new(connect, directive.Source);
                }

                return true;
            case "proxy_read_timeout":
                if (Claim(directive, 1, 1, problems) && ReadPositiveTime(directive, problems) is { } read)
                {
                    ReadTimeout = new(read, directive.Source);
                }

                return true;
            case "proxy_http_version":
                if (Claim(directive, 1, 1, problems))
                {
                    if (directive.Arguments[0] is "1.0" or "1.1")
                    {
                        HttpVersion = new(directive.Arguments[0], directive.Source);
                    }
                    else
                    {
                        Refuse(directive, problems, "expected 1.0 or 1.1");
                    }
                }

                return true;
            case "client_max_body_size":
                if (Claim(directive, 1, 1, problems))
                {
                    if (NginxUnits.TryParseSize(directive.Arguments[0], out var size))
                    {
                        ClientMaxBodySize = new(size, directive.Source);
                    }
                    else
                    {
                        Refuse(directive, problems, "expected a size such as 512k or 1m");
                    }
                }

                return true;
            case "proxy_buffering":
                if (Claim(directive, 1, 1, problems))
                {
                    if (directive.Arguments[0] is "on" or "off")
                    {
                        accepted.Add(directive.Name);
                    }
                    else
                    {
                        Refuse(directive, problems, "expected on or off");
                    }
                }

                return true;
            case "proxy_set_header":
                if (DirectiveChecks.IsSimple(directive, 2, 2, problems)
                    && new ProxyHeader(directive.Arguments[0], directive.Arguments[1], directive.Source) is var header
                    && ProxyHeaderTransforms.Check(header, problems, accepted))
                {
                    if (!_headersSetHere)
                    {
                        _headers = [];
                        _headersSetHere = true;
                    }

                    _headers.Add(header);
                }

                return true;
            default:
                return false;
        }
    }

    // nginx refuses a setting given twice at one level rather than guess which one was meant.
    private bool Claim(NginxDirective directive, int min, int max, NginxConfProblems problems)
    {
        if (!DirectiveChecks.IsSimple(directive, min, max, problems))
        {
            return false;
        }

        if (_setHere.TryGetValue(directive.Name, out var first))
        {
            problems.Add(directive.Source, $"\"{directive.Name}\" is duplicate (first at {first})");
            return false;
        }

        _setHere[directive.Name] = directive.Source;
        return true;
    }

    private static void Refuse(NginxDirective directive, NginxConfProblems problems, string why) =>
        problems.Add(directive.Source, $"\"{directive.Text}\": {why}");

    private static TimeSpan? ReadTime(NginxDirective directive, NginxConfProblems problems)
    {
        if (NginxUnits.TryParseTime(directive.Arguments[0], out var time))
        {
            return time;
        }

        Refuse(directive, problems, "expected a time such as 10s or 500ms");
        return null;
    }

    private static TimeSpan? ReadPositiveTime(NginxDirective directive, NginxConfProblems problems)
    {
        if (ReadTime(directive, problems) is not { } time)
        {
            return null;
        }

        if (time > TimeSpan.Zero)
        {
            return time;
        }

        Refuse(directive, problems, "must be more than 0");
        return null;
    }

    private static int? ReadTries(NginxDirective directive, NginxConfProblems problems)
    {
        if (NginxUnits.TryParseCount(directive.Arguments[0], out var tries) && tries <= RetryOptions.MostTries)
        {
            return tries;
        }

        Refuse(directive, problems, "expected a whole number from 0 (as many as the upstream has servers) to 10 (Ginx's most)");
        return null;
    }

    private static string? ReadRetryOn(NginxDirective directive, NginxConfProblems problems)
    {
        var arguments = directive.Arguments;
        if (arguments.Contains("off"))
        {
            if (arguments.Count == 1)
            {
                return "off";
            }

            Refuse(directive, problems, "\"off\" cannot be combined with other conditions");
            return null;
        }

        var valid = true;
        foreach (var condition in arguments)
        {
            if (!RetryConditionNames.Names.ContainsKey(condition))
            {
                Refuse(directive, problems, Unsupported(condition));
                valid = false;
            }
        }

        return valid ? string.Join(", ", arguments) : null;
    }

    private static string Unsupported(string condition) => condition switch
    {
        "non_idempotent" => "Ginx never sends a non-idempotent request (POST, PATCH, LOCK) again once a server has received it, so \"non_idempotent\" cannot be honoured; leave it out",
        _ => $"Ginx cannot retry on \"{condition}\"; it retries on {string.Join(", ", RetryConditionNames.Names.Keys.Where(name => name != "off"))}",
    };
}
