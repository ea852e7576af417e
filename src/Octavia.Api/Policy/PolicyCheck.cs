namespace Octavia.Api.Policy;

/// <summary>
/// One parsed oslo.policy check string: <c>@</c>, <c>!</c>, <c>rule:NAME</c>, <c>role:NAME</c>,
/// <c>KEY:VALUE</c> (a credential compared with a literal or a <c>%(target_key)s</c> of the target), combined
/// with <c>not</c>, <c>and</c>, <c>or</c> and parentheses (oslo.policy's precedence: not, and, or).
/// </summary>
public abstract class PolicyCheck
{
    /// <summary>Whether the caller described by <paramref name="credentials"/> may act on <paramref name="target"/>.</summary>
    public abstract bool Evaluate(PolicyCredentials credentials, PolicyTarget target, IPolicyRules rules, int depth);

    internal sealed class Always(bool value) : PolicyCheck
    {
        public override bool Evaluate(PolicyCredentials credentials, PolicyTarget target, IPolicyRules rules, int depth) => value;

        public override string ToString() => value ? "@" : "!";
    }

    internal sealed class Not(PolicyCheck inner) : PolicyCheck
    {
        public override bool Evaluate(PolicyCredentials credentials, PolicyTarget target, IPolicyRules rules, int depth) =>
            !inner.Evaluate(credentials, target, rules, depth);

        public override string ToString() => $"not {inner}";
    }

    internal sealed class And(PolicyCheck[] parts) : PolicyCheck
    {
        public override bool Evaluate(PolicyCredentials credentials, PolicyTarget target, IPolicyRules rules, int depth)
        {
            foreach (var part in parts)
            {
                if (!part.Evaluate(credentials, target, rules, depth))
                {
                    return false;
                }
            }

            return true;
        }

        public override string ToString() => $"({string.Join(" and ", parts.Select(p => p.ToString()))})";
    }

    internal sealed class Or(PolicyCheck[] parts) : PolicyCheck
    {
        public override bool Evaluate(PolicyCredentials credentials, PolicyTarget target, IPolicyRules rules, int depth)
        {
            foreach (var part in parts)
            {
                if (part.Evaluate(credentials, target, rules, depth))
                {
                    return true;
                }
            }

            return false;
        }

        public override string ToString() => $"({string.Join(" or ", parts.Select(p => p.ToString()))})";
    }

    /// <summary>
    /// <c>rule:NAME</c>. An unknown rule is false, as in oslo.policy; a rule that refers to itself, directly or
    /// not, is cut off after a fixed depth (false) rather than overflowing the stack.
    /// </summary>
    internal sealed class Rule(string name) : PolicyCheck
    {
        private const int MaxDepth = 32;

        public override bool Evaluate(PolicyCredentials credentials, PolicyTarget target, IPolicyRules rules, int depth) =>
            depth < MaxDepth && rules.Find(name) is { } rule && rule.Evaluate(credentials, target, rules, depth + 1);

        public override string ToString() => $"rule:{name}";
    }

    /// <summary><c>role:NAME</c>: the caller holds the role (compared without regard to case, as oslo.policy does).</summary>
    internal sealed class Role(string match) : PolicyCheck
    {
        public override bool Evaluate(PolicyCredentials credentials, PolicyTarget target, IPolicyRules rules, int depth) =>
            Generic.Resolve(match, target) is { } role && credentials.HasRole(role);

        public override string ToString() => $"role:{match}";
    }

    /// <summary>
    /// <c>KEY:VALUE</c>: the credential <c>KEY</c> (<c>project_id</c>, <c>user_id</c>, <c>is_admin</c>, …) equals
    /// <c>VALUE</c>, a literal (quotes stripped; <c>True</c>/<c>False</c> for booleans) or <c>%(key)s</c> of the target.
    /// </summary>
    internal sealed class Generic(string kind, string match) : PolicyCheck
    {
        public override bool Evaluate(PolicyCredentials credentials, PolicyTarget target, IPolicyRules rules, int depth) =>
            Resolve(match, target) is { } expected && credentials.Value(kind) is { } actual && actual == expected;

        internal static string? Resolve(string match, PolicyTarget target)
        {
            if (match.StartsWith("%(", StringComparison.Ordinal) && match.EndsWith(")s", StringComparison.Ordinal))
            {
                return target.Value(match[2..^2]);
            }

            return match.Length >= 2 && (match[0] == '\'' || match[0] == '"') && match[^1] == match[0] ? match[1..^1] : match;
        }

        public override string ToString() => $"{kind}:{match}";
    }
}
