namespace Ginx.Proxy.NginxConf;

/// <summary>Where a directive was written: the file as the user named it, and the line.</summary>
public readonly record struct NginxSource(string File, int Line)
{
    /// <summary>The <c>file:line</c> form every message starts with.</summary>
    public override string ToString() => $"{File}:{Line}";
}
