using System.Text;

namespace Ginx.Proxy.NginxConf;

/// <summary>
/// Splits an nginx configuration file into tokens by nginx's own lexical rules
/// (<c>ngx_conf_read_token</c>): <c>#</c> starts a comment only where a token could start; single
/// and double quotes group a word; a backslash takes the next character literally and
/// <c>\t</c>, <c>\r</c>, <c>\n</c> stand for their control characters; <c>${name}</c> keeps its
/// braces; a quoted word must be followed by a space, <c>;</c> or <c>{</c>.
/// </summary>
internal static class NginxTokenizer
{
    /// <summary>The tokens of <paramref name="text"/>; false, with the problem recorded, at the first lexical error.</summary>
    public static bool TryTokenize(string text, string file, NginxConfProblems problems, out List<NginxToken> tokens)
    {
        tokens = [];
        var line = 1;
        var position = 0;
        while (position < text.Length)
        {
            var ch = text[position];
            if (ch == '\n')
            {
                line++;
                position++;
                continue;
            }

            if (char.IsWhiteSpace(ch))
            {
                position++;
                continue;
            }

            switch (ch)
            {
                case '#':
                    var end = text.IndexOf('\n', position);
                    position = end < 0 ? text.Length : end;
                    continue;
                case ';':
                    tokens.Add(new NginxToken(NginxTokenKind.Semicolon, ";", line));
                    position++;
                    continue;
                case '{':
                    tokens.Add(new NginxToken(NginxTokenKind.OpenBrace, "{", line));
                    position++;
                    continue;
                case '}':
                    tokens.Add(new NginxToken(NginxTokenKind.CloseBrace, "}", line));
                    position++;
                    continue;
                case '"' or '\'':
                    if (!TryReadQuoted(text, ref position, ref line, out var quoted))
                    {
                        problems.Add(new NginxSource(file, line), $"unexpected end of file, expecting the closing {ch}");
                        return false;
                    }

                    tokens.Add(quoted);
                    if (position < text.Length && !char.IsWhiteSpace(text[position]) && text[position] is not (';' or '{'))
                    {
                        problems.Add(new NginxSource(file, line), $"unexpected \"{text[position]}\" after a quoted string; put a space after the closing quote");
                        return false;
                    }

                    continue;
                default:
                    tokens.Add(ReadWord(text, ref position, ref line));
                    continue;
            }
        }

        return true;
    }

    private static bool TryReadQuoted(string text, ref int position, ref int line, out NginxToken token)
    {
        var quote = text[position];
        var startLine = line;
        var start = ++position;
        while (position < text.Length)
        {
            var ch = text[position];
            if (ch == '\n')
            {
                line++;
            }

            if (ch == '\\' && position + 1 < text.Length)
            {
                if (text[position + 1] == '\n')
                {
                    line++;
                }

                position += 2;
                continue;
            }

            if (ch == quote)
            {
                token = new NginxToken(NginxTokenKind.Word, Unescape(text.AsSpan(start, position - start)), startLine);
                position++;
                return true;
            }

            position++;
        }

        token = default;
        return false;
    }

    private static NginxToken ReadWord(string text, ref int position, ref int line)
    {
        var startLine = line;
        var start = position;
        var afterDollar = false;
        while (position < text.Length)
        {
            var ch = text[position];
            if (ch == '{' && afterDollar)
            {
                // "${name}": the brace belongs to the variable, not to a block.
                afterDollar = false;
                position++;
                continue;
            }

            afterDollar = ch == '$';
            if (ch == '\\' && position + 1 < text.Length)
            {
                if (text[position + 1] == '\n')
                {
                    line++;
                }

                position += 2;
                continue;
            }

            if (char.IsWhiteSpace(ch) || ch is ';' or '{')
            {
                break;
            }

            position++;
        }

        return new NginxToken(NginxTokenKind.Word, Unescape(text.AsSpan(start, position - start)), startLine);
    }

    // As nginx: \" \' \\ stand for the character, \t \r \n for the control character; any other
    // backslash stays as written.
    private static string Unescape(ReadOnlySpan<char> raw)
    {
        if (!raw.Contains('\\'))
        {
            return raw.ToString();
        }

        var builder = new StringBuilder(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '\\' && i + 1 < raw.Length)
            {
                switch (raw[i + 1])
                {
                    case '"' or '\'' or '\\':
                        builder.Append(raw[++i]);
                        continue;
                    case 't':
                        builder.Append('\t');
                        i++;
                        continue;
                    case 'r':
                        builder.Append('\r');
                        i++;
                        continue;
                    case 'n':
                        builder.Append('\n');
                        i++;
                        continue;
                }
            }

            builder.Append(raw[i]);
        }

        return builder.ToString();
    }
}
