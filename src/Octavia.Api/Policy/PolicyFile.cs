using System.Text.Json;

namespace Octavia.Api.Policy;

/// <summary>
/// Reads an operator's policy file: upstream's YAML (one <c>"rule name": "check string"</c> per line, as
/// <c>oslopolicy-sample-generator</c> writes it; comments and blank lines allowed) or the older JSON object.
/// Anything else is refused with the line that is wrong.
/// </summary>
public static class PolicyFile
{
    public static Dictionary<string, string> Parse(string text, string path)
    {
        var trimmed = text.TrimStart();
        return trimmed.StartsWith('{') ? ParseJson(text, path) : ParseYaml(text, path);
    }

    private static Dictionary<string, string> ParseJson(string text, string path)
    {
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(text) ?? [];
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}: not a JSON object of rule names to check strings ({e.Message})", e);
        }
    }

    private static Dictionary<string, string> ParseYaml(string text, string path)
    {
        var rules = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r').Trim();
            if (line.Length == 0 || line[0] == '#' || line == "---" || line == "{}")
            {
                continue;
            }

            var (key, remainder) = ReadKey(line) ?? throw Invalid(path, i, "expected \"rule name\": \"check string\"");
            var value = ReadValue(remainder.Trim()) ?? throw Invalid(path, i, "the check string must be a quoted or plain string on the same line");
            if (!rules.TryAdd(key, value))
            {
                throw Invalid(path, i, $"rule \"{key}\" is given twice");
            }
        }

        return rules;
    }

    private static (string Key, string Remainder)? ReadKey(string line)
    {
        if (line[0] is '"' or '\'')
        {
            var end = line.IndexOf(line[0], 1);
            return end > 0 && end + 1 < line.Length && line[end + 1] == ':' ? (line[1..end], line[(end + 2)..]) : null;
        }

        // Rule names hold colons themselves; YAML ends a plain key at the first colon followed by a blank.
        var colon = line.IndexOf(": ", StringComparison.Ordinal);
        if (colon < 0 && line.EndsWith(':'))
        {
            colon = line.Length - 1;
        }

        return colon > 0 ? (line[..colon].Trim(), line[(colon + 1)..]) : null;
    }

    private static string? ReadValue(string value)
    {
        if (value.Length == 0)
        {
            return "";
        }

        if (value[0] is '"' or '\'')
        {
            var end = value.LastIndexOf(value[0]);
            if (end == 0)
            {
                return null;
            }

            var after = value[(end + 1)..].Trim();
            if (after.Length > 0 && after[0] != '#')
            {
                return null;
            }

            var inner = value[1..end];
            return value[0] == '\'' ? inner.Replace("''", "'", StringComparison.Ordinal) : inner.Replace("\\\"", "\"", StringComparison.Ordinal);
        }

        if (value[0] is '|' or '>' or '[' or '{' or '&' or '*')
        {
            return null;
        }

        var comment = value.IndexOf(" #", StringComparison.Ordinal);
        return (comment >= 0 ? value[..comment] : value).Trim();
    }

    private static FormatException Invalid(string path, int line, string what) => new($"{path}, line {line + 1}: {what}.");
}
