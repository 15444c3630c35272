namespace Ginx.Proxy.NginxConf;

/// <summary>
/// One directive of an nginx configuration: <c>name arg…;</c>, or <c>name arg… { … }</c> with the
/// directives of its block. Includes are already replaced by what they include, each directive
/// keeping the file and line it was written on.
/// </summary>
public sealed record NginxDirective(string Name, IReadOnlyList<string> Arguments, IReadOnlyList<NginxDirective>? Block, NginxSource Source)
{
    /// <summary>The directive as written, for messages: <c>proxy_pass http://backend</c>.</summary>
    public string Text => Arguments.Count == 0 ? Name : Name + " " + string.Join(' ', Arguments);
}
