namespace Ginx.Proxy.NginxConf;

/// <summary>
/// YARP request transforms that set the headers a location's <c>proxy_set_header</c> lines set. Like
/// nginx, and unlike YARP's default, no <c>X-Forwarded-*</c> header is added unless asked for.
/// A value Ginx cannot produce (a variable other than those below) is refused.
/// </summary>
internal static class ProxyHeaderTransforms
{
    /// <summary>What one <c>proxy_set_header</c> does in YARP's terms.</summary>
    /// <param name="Forwarded">An X-Forwarded header and its action (<c>For</c>, <c>Append</c>), all of which share one transform.</param>
    /// <param name="Transform">A transform of its own.</param>
    /// <param name="IsAlreadyDone">Nothing to do: YARP already does it (hop-by-hop and upgrade headers, the destination's Host).</param>
    private sealed record Effect(KeyValuePair<string, string>? Forwarded, List<KeyValuePair<string, string>>? Transform, bool IsAlreadyDone);

    /// <summary>Refuses a header Ginx cannot set (false); notes one that changes nothing.</summary>
    public static bool Check(ProxyHeader header, NginxConfProblems problems, AcceptedWithoutEffect accepted)
    {
        switch (EffectOf(header))
        {
            case null:
                problems.Add(header.Source, $"\"proxy_set_header {header.Name} {header.Value}\": Ginx sets a header to fixed text, to $remote_addr, or as Host $host, X-Forwarded-For $proxy_add_x_forwarded_for, X-Forwarded-Proto $scheme, X-Forwarded-Host $host; not to \"{header.Value}\"");
                return false;
            case { IsAlreadyDone: true }:
                accepted.Add($"proxy_set_header {header.Name}");
                return true;
            default:
                return true;
        }
    }

    /// <summary>The transforms for <paramref name="headers"/> (already checked), each a list of YARP transform keys and values.</summary>
    public static IEnumerable<List<KeyValuePair<string, string>>> For(IReadOnlyList<ProxyHeader> headers)
    {
        var effects = headers.Select(EffectOf).OfType<Effect>().ToList();
        var forwarded = new List<KeyValuePair<string, string>> { new("X-Forwarded", "Off") };
        forwarded.AddRange(effects.Where(effect => effect.Forwarded is not null).Select(effect => effect.Forwarded!.Value));
        return effects.Where(effect => effect.Transform is not null).Select(effect => effect.Transform!).Prepend(forwarded);
    }

    private static Effect? EffectOf(ProxyHeader header)
    {
        var name = header.Name;
        var value = header.Value;
        return (name.ToUpperInvariant(), value) switch
        {
            ("CONNECTION", "" or "upgrade" or "$connection_upgrade" or "close" or "keep-alive") or ("UPGRADE", "$http_upgrade") or ("HOST", "$proxy_host") => new(null, null, true),
            (_, "") => Transform("RequestHeaderRemove", name),
            ("HOST", "$host" or "$http_host") => Transform("RequestHeaderOriginalHost", "true"),
            ("X-FORWARDED-FOR", "$proxy_add_x_forwarded_for") => Forwarded("For", "Append"),
            ("X-FORWARDED-FOR", "$remote_addr") => Forwarded("For", "Set"),
            ("X-FORWARDED-PROTO", "$scheme") => Forwarded("Proto", "Set"),
            ("X-FORWARDED-HOST", "$host" or "$http_host") => Forwarded("Host", "Set"),
            (_, "$remote_addr") => Transform(ClientAddressHeaderTransformFactory.Key, name),
            _ when !value.Contains('$', StringComparison.Ordinal) => Transform("RequestHeader", name, "Set", value),
            _ => null,
        };
    }

    // Keys and values alternate: ("RequestHeader", "X-Env", "Set", "prod").
    private static Effect Transform(params string[] keysAndValues) =>
        new(null, keysAndValues.Chunk(2).Select(pair => new KeyValuePair<string, string>(pair[0], pair[1])).ToList(), false);

    private static Effect Forwarded(string header, string action) => new(new(header, action), null, false);
}
