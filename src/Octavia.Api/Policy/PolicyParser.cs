namespace Octavia.Api.Policy;

/// <summary>
/// Parses oslo.policy check strings. Tokens are separated by white space; parentheses may stick to a check
/// (<c>(role:a</c>); <c>and</c>, <c>or</c>, <c>not</c> are case-insensitive; an empty string allows everyone.
/// Where oslo.policy quietly turns a malformed check into "deny", this parser refuses it, so a typo in an
/// operator's policy file stops the API at start-up instead of locking callers out.
/// </summary>
public static class PolicyParser
{
    public static PolicyCheck Parse(string text)
    {
        var tokens = Tokenize(text);
        if (tokens.Count == 0)
        {
            return new PolicyCheck.Always(true);
        }

        var position = 0;
        var check = ParseOr(tokens, ref position, text);
        return position == tokens.Count ? check : throw new FormatException($"Unexpected '{tokens[position]}' in policy check \"{text}\".");
    }

    private static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        foreach (var word in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var start = 0;
            var end = word.Length;
            while (start < end && word[start] == '(')
            {
                tokens.Add("(");
                start++;
            }

            var closing = 0;
            while (end > start && word[end - 1] == ')')
            {
                closing++;
                end--;
            }

            if (end > start)
            {
                tokens.Add(word[start..end]);
            }

            tokens.AddRange(Enumerable.Repeat(")", closing));
        }

        return tokens;
    }

    private delegate PolicyCheck Parser(List<string> tokens, ref int position, string text);

    private static PolicyCheck ParseOr(List<string> tokens, ref int position, string text) =>
        ParseChain(tokens, ref position, text, "or", ParseAnd, parts => new PolicyCheck.Or(parts));

    private static PolicyCheck ParseAnd(List<string> tokens, ref int position, string text) =>
        ParseChain(tokens, ref position, text, "and", ParseNot, parts => new PolicyCheck.And(parts));

    /// <summary>Operands joined by <paramref name="keyword"/>: one alone stands for itself.</summary>
    private static PolicyCheck ParseChain(List<string> tokens, ref int position, string text, string keyword, Parser operand,
        Func<PolicyCheck[], PolicyCheck> combine)
    {
        var parts = new List<PolicyCheck> { operand(tokens, ref position, text) };
        while (position < tokens.Count && Is(tokens[position], keyword))
        {
            position++;
            parts.Add(operand(tokens, ref position, text));
        }

        return parts.Count == 1 ? parts[0] : combine([.. parts]);
    }

    private static PolicyCheck ParseNot(List<string> tokens, ref int position, string text)
    {
        if (position >= tokens.Count)
        {
            throw new FormatException($"Policy check \"{text}\" ends too early.");
        }

        var token = tokens[position++];
        if (Is(token, "not"))
        {
            return new PolicyCheck.Not(ParseNot(tokens, ref position, text));
        }

        if (token == "(")
        {
            var inner = ParseOr(tokens, ref position, text);
            if (position >= tokens.Count || tokens[position] != ")")
            {
                throw new FormatException($"Unbalanced parentheses in policy check \"{text}\".");
            }

            position++;
            return inner;
        }

        return token switch
        {
            "@" => new PolicyCheck.Always(true),
            "!" => new PolicyCheck.Always(false),
            ")" or "and" or "or" => throw new FormatException($"Unexpected '{token}' in policy check \"{text}\"."),
            _ => ParseCheck(token, text),
        };
    }

    private static PolicyCheck ParseCheck(string token, string text)
    {
        var colon = token.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == token.Length - 1 || Is(token, "and") || Is(token, "or"))
        {
            throw new FormatException($"'{token}' in policy check \"{text}\" is not KIND:VALUE, @ or !.");
        }

        var kind = token[..colon];
        var match = token[(colon + 1)..];
        return kind switch
        {
            "rule" => new PolicyCheck.Rule(match),
            "role" => new PolicyCheck.Role(match),
            _ => new PolicyCheck.Generic(kind, match),
        };
    }

    private static bool Is(string token, string keyword) => string.Equals(token, keyword, StringComparison.OrdinalIgnoreCase);
}
