using Ginx.Proxy.NginxConf;

namespace Ginx.Tests.NginxConf;

public sealed class NginxTokenizerTests
{
    private static List<string> Words(string text)
    {
        var problems = new NginxConfProblems();
        Assert.True(NginxTokenizer.TryTokenize(text, "t.conf", problems, out var tokens), string.Join("\n", problems.Messages));
        return tokens.Select(token => token.Text).ToList();
    }

    [Fact]
    public void TryTokenize_CommentAtATokenStart_RunsToTheEndOfTheLine() =>
        Assert.Equal(["a", "b#c", ";", "d", ";"], Words("a b#c; # a comment; {\nd;"));

    [Fact]
    public void TryTokenize_Quotes_GroupAWordAndKeepTheOtherQuote() =>
        Assert.Equal(["set", "two words", "it's", "say \"hi\"", ";"], Words("set \"two words\" 'it\\'s' 'say \"hi\"';"));

    [Fact]
    public void TryTokenize_Escapes_AreNginxs() =>
        Assert.Equal(["a\tb", "c\\d", "e\\xf", "g\\;h", ";"], Words("a\\tb c\\\\d e\\xf g\\;h;"));

    [Fact]
    public void TryTokenize_VariableInBraces_KeepsItsBracesInTheWord() =>
        Assert.Equal(["hash", "${arg_user}", ";", "{", "}"], Words("hash ${arg_user}; { }"));

    [Fact]
    public void TryTokenize_EmptyQuotes_AreAnEmptyWord() =>
        Assert.Equal(["proxy_set_header", "Connection", "", ";"], Words("proxy_set_header Connection \"\";"));

    [Fact]
    public void TryTokenize_Lines_AreCountedInsideQuotesToo()
    {
        var problems = new NginxConfProblems();
        NginxTokenizer.TryTokenize("a 'x\ny';\nb;", "t.conf", problems, out var tokens);

        Assert.Equal([1, 1, 2, 3, 3], tokens.Select(token => token.Line));
    }

    [Theory]
    [InlineData("a \"open;", "t.conf:1: unexpected end of file, expecting the closing \"")]
    [InlineData("a\n'x'y;", "t.conf:2: unexpected \"y\" after a quoted string; put a space after the closing quote")]
    public void TryTokenize_LexicalError_IsReportedWithItsLine(string text, string message)
    {
        var problems = new NginxConfProblems();

        Assert.False(NginxTokenizer.TryTokenize(text, "t.conf", problems, out _));
        Assert.Equal([message], problems.Messages);
    }
}
