using System.Text.RegularExpressions;
using Octavia.Api.Faults;
using Octavia.Api.Hosting;
using Octavia.Api.Json;
using Octavia.Core.Model;
using Octavia.Core.Statuses;

namespace Octavia.Api.Endpoints.L7Rules;

/// <summary>
/// Parsing and validation of L7 rule request bodies (reference/api.md §11.2), free of database work so
/// that the rule POST/PUT and the graph create (rules inside an L7 policy) share it.
/// </summary>
public static partial class L7RuleRequests
{
    public static readonly HashSet<string> PostAttributes =
        ["type", "compare_type", "key", "value", "invert", "admin_state_up", "project_id", "tenant_id", "tags"];

    public static readonly HashSet<string> PutAttributes = ["type", "compare_type", "key", "value", "invert", "admin_state_up", "tags"];

    private const string NoNewLinePattern = @"^[^\r\n]*$";

    // reference: upstream's HTTP_HEADER_NAME_REGEX, HTTP_COOKIE_VALUE_REGEX, HTTP_HEADER_VALUE_REGEX,
    // HTTP_QUOTED_HEADER_VALUE_REGEX and DISTINGUISHED_NAME_FIELD_REGEX (RFC 7230/6265 character sets).
    [GeneratedRegex(@"\A[a-zA-Z0-9!#$%&'*+\-.^_`|~]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex HeaderNameRegex();

    [GeneratedRegex(@"\A[a-zA-Z0-9!#$%&'()*+\-./:<=>?@\[\]^_`{|}~]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex CookieValueRegex();

    [GeneratedRegex(@"\A[a-zA-Z0-9!""#$%&'()*+,\-./:;<=>?@\[\]^_`{|}~\\]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex HeaderValueRegex();

    [GeneratedRegex(@"\A""[a-zA-Z0-9 \t!""#$%&'()*+,\-./:;<=>?@\[\]^_`{|}~\\]*""\z", RegexOptions.CultureInvariant)]
    private static partial Regex QuotedHeaderValueRegex();

    [GeneratedRegex(@"^[a-zA-Z][A-Za-z0-9-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex DistinguishedNameFieldRegex();

    /// <summary>
    /// A validated new rule. <see cref="L7Rule.ProjectId"/> and <see cref="L7Rule.L7PolicyId"/> are left
    /// empty for the caller.
    /// </summary>
    public static L7Rule ParsePost(JsonBody body, DateTime now)
    {
        var type = body.Enum("type", Constants.L7RuleTypes);
        var compareType = body.Enum("compare_type", Constants.L7CompareTypes);
        var key = NoNewLine(body, "key");
        var value = NoNewLine(body, "value");
        var invert = body.Bool("invert");
        var adminStateUp = body.Bool("admin_state_up");
        body.String("project_id", 36);
        body.String("tenant_id", 36);
        var tags = body.Tags();

        var rule = new L7Rule
        {
            Id = WriteScope.NewId(),
            ProjectId = "",
            L7PolicyId = "",
            Type = JsonBody.Required("type", type),
            CompareType = JsonBody.Required("compare_type", compareType),
            Key = key.Value,
            Value = JsonBody.Required("value", value),
            Invert = invert.Value ?? false,
            Enabled = !adminStateUp.Present || (adminStateUp.Value ?? false),
            ProvisioningStatus = ProvisioningStatus.PendingCreate,
            OperatingStatus = OperatingStatus.Offline,
            Tags = tags.Value ?? [],
            CreatedAt = now,
        };
        Validate(rule);
        return rule;
    }

    /// <summary>
    /// Applies a PUT body to <paramref name="rule"/> and validates the result as a whole. As upstream, a
    /// null leaves the attribute unchanged, except <c>invert</c> (null is false).
    /// </summary>
    public static void ApplyPut(JsonBody body, L7Rule rule)
    {
        var type = body.Enum("type", Constants.L7RuleTypes);
        var compareType = body.Enum("compare_type", Constants.L7CompareTypes);
        var key = NoNewLine(body, "key");
        var value = NoNewLine(body, "value");
        var invert = body.Bool("invert");
        var adminStateUp = body.Bool("admin_state_up");
        var tags = body.Tags();

        rule.Type = type.Value ?? rule.Type;
        rule.CompareType = compareType.Value ?? rule.CompareType;
        rule.Key = key.Value ?? rule.Key;
        rule.Value = value.Value ?? rule.Value;
        if (invert.Present)
        {
            rule.Invert = invert.Value ?? false;
        }

        if (adminStateUp.Present && adminStateUp.Value is { } enabled)
        {
            rule.Enabled = enabled;
        }

        if (tags.Present)
        {
            rule.Tags = tags.Value ?? [];
        }

        Validate(rule);
    }

    /// <summary>
    /// Upstream's l7rule_data: the per-type rules. Failures are 400 "Error parsing L7Rule: …". The key of the
    /// types that do not use one is dropped.
    /// </summary>
    public static void Validate(L7Rule rule)
    {
        if (rule.Type is "HOST_NAME" or "PATH" or "FILE_TYPE")
        {
            rule.Key = null;
        }

        if (string.IsNullOrEmpty(rule.Value))
        {
            throw Invalid("Invalid L7 Rule: L7 rule type requires a value");
        }

        var compare = rule.CompareType;
        switch (rule.Type)
        {
            case "HEADER":
            case "COOKIE":
                if (string.IsNullOrEmpty(rule.Key))
                {
                    throw Invalid("Invalid L7 Rule: L7 rule type requires a key");
                }

                if (!HeaderNameRegex().IsMatch(rule.Key))
                {
                    throw Invalid("Invalid characters in key");
                }

                if (compare == "REGEX")
                {
                    CheckRegex(rule.Value);
                }
                else if (rule.Type == "HEADER")
                {
                    CheckHeaderValue(rule.Value, "header value");
                }
                else if (!CookieValueRegex().IsMatch(rule.Value))
                {
                    throw Invalid("Invalid characters in cookie value");
                }

                break;
            case "HOST_NAME":
            case "PATH":
                if (compare == "REGEX")
                {
                    CheckRegex(rule.Value);
                }
                else
                {
                    CheckHeaderValue(rule.Value, "comparison value");
                }

                break;
            case "FILE_TYPE":
                if (compare == "REGEX")
                {
                    CheckRegex(rule.Value);
                }
                else if (compare == "EQUAL_TO")
                {
                    CheckHeaderValue(rule.Value, "comparison value");
                }
                else
                {
                    throw Invalid("Invalid L7 Rule: invalid comparison type for rule type");
                }

                break;
            case "SSL_CONN_HAS_CERT":
                if (!string.IsNullOrEmpty(rule.Key))
                {
                    throw Invalid($"Invalid L7 Rule: L7rule type {rule.Type} does not use the \"key\" field.");
                }

                if (!rule.Value.Equals("true", StringComparison.OrdinalIgnoreCase))
                {
                    throw Invalid($"Invalid L7 Rule: L7rule value {rule.Value} is not a boolean True string.");
                }

                RequireEqualTo(rule);
                break;
            case "SSL_VERIFY_RESULT":
                if (!string.IsNullOrEmpty(rule.Key))
                {
                    throw Invalid($"Invalid L7 Rule: L7rule type {rule.Type} does not use the \"key\" field.");
                }

                if (!rule.Value.All(char.IsAsciiDigit))
                {
                    throw Invalid($"Invalid L7 Rule: L7rule type {rule.Type} needs a int value, which is >= 0");
                }

                RequireEqualTo(rule);
                break;
            case "SSL_DN_FIELD":
                if (compare == "REGEX")
                {
                    CheckRegex(rule.Value);
                }

                if (string.IsNullOrEmpty(rule.Key))
                {
                    throw Invalid($"Invalid L7 Rule: L7rule type {rule.Type} needs to specify a key and a value.");
                }

                if (!DistinguishedNameFieldRegex().IsMatch(rule.Key))
                {
                    throw Invalid("Invalid L7 Rule: Invalid L7rule distinguished name field.");
                }

                break;
            default:
                throw Invalid("Invalid L7 Rule: invalid rule type");
        }
    }

    private static void RequireEqualTo(L7Rule rule)
    {
        if (rule.CompareType != "EQUAL_TO")
        {
            throw Invalid($"Invalid L7 Rule: L7rule type {rule.Type} only supports the EQUAL_TO compare type.");
        }
    }

    private static void CheckHeaderValue(string value, string what)
    {
        if (!HeaderValueRegex().IsMatch(value) && !QuotedHeaderValueRegex().IsMatch(value))
        {
            throw Invalid($"Invalid characters in {what}");
        }
    }

    /// <summary>
    /// The value must compile as a regular expression. .NET's dialect stands in for Python's (and HAProxy's
    /// PCRE); the timeout bounds the work a hostile pattern can cause.
    /// </summary>
    private static void CheckRegex(string pattern)
    {
        try
        {
            _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromMilliseconds(100));
        }
        catch (ArgumentException e)
        {
            throw Invalid("Unable to parse regular expression: " + e.Message);
        }
    }

    private static ApiException Invalid(string detail) => ApiException.BadRequest("Error parsing L7Rule: " + detail);

    private static Opt<string?> NoNewLine(JsonBody body, string name)
    {
        var value = body.String(name);
        if (value.Value is { } s && (s.Contains('\r', StringComparison.Ordinal) || s.Contains('\n', StringComparison.Ordinal)))
        {
            throw ApiException.InvalidInput(name, s, "Value should match the pattern " + NoNewLinePattern);
        }

        return value;
    }
}
