namespace Ginx.Proxy.NginxConf;

/// <summary>What an nginx configuration token is.</summary>
internal enum NginxTokenKind
{
    /// <summary>A word, quoted or not: a directive's name or argument.</summary>
    Word,

    /// <summary><c>;</c>, which ends a simple directive.</summary>
    Semicolon,

    /// <summary><c>{</c>, which opens a block.</summary>
    OpenBrace,

    /// <summary><c>}</c>, which closes a block.</summary>
    CloseBrace,
}

/// <summary>One token with the line it starts on; <see cref="Text"/> is unescaped and unquoted.</summary>
internal readonly record struct NginxToken(NginxTokenKind Kind, string Text, int Line);
