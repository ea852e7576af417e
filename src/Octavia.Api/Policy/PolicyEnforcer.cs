using Microsoft.Extensions.Options;
using Octavia.Core.Configuration;

namespace Octavia.Api.Policy;

/// <summary>
/// Upstream's policy with the operator's overrides: the defaults of <see cref="PolicyDefaults"/> for
/// <c>[oslo_policy] enforce_new_defaults</c>, each replaced by the rule of the same name in
/// <c>policy_file</c> when there is one (a replaced rule is taken as written, deprecated checks and all gone).
/// </summary>
public sealed class PolicyEnforcer : IPolicyRules
{
    private readonly Dictionary<string, PolicyCheck> _rules;

    public PolicyEnforcer(IOptions<OsloPolicyOptions> options)
        : this(options.Value)
    {
    }

    public PolicyEnforcer(OsloPolicyOptions options)
    {
        EnforceScope = options.EnforceScope;
        var checks = PolicyDefaults.Rules(options.EnforceNewDefaults);
        if (FindFile(options.PolicyFile) is { } path)
        {
            PolicyPath = path;
            foreach (var (name, check) in PolicyFile.Parse(File.ReadAllText(path), path))
            {
                checks[name] = check;
            }
        }

        _rules = new Dictionary<string, PolicyCheck>(StringComparer.Ordinal);
        foreach (var (name, check) in checks)
        {
            try
            {
                _rules[name] = PolicyParser.Parse(check);
            }
            catch (FormatException e)
            {
                throw new FormatException($"{PolicyPath ?? "default policy"}: rule \"{name}\": {e.Message}", e);
            }
        }
    }

    /// <summary>The operator's policy file in use; null when only the defaults apply.</summary>
    public string? PolicyPath { get; }

    public bool EnforceScope { get; }

    public PolicyCheck? Find(string name) => _rules.GetValueOrDefault(name);

    /// <summary>Upstream's <c>context_is_admin</c>: what makes <c>is_admin:True</c> true for a token.</summary>
    public bool IsAdmin(PolicyCredentials credentials) =>
        Authorize("context_is_admin", credentials with { IsAdmin = false }, new PolicyTarget(credentials.ProjectId));

    /// <summary>
    /// Whether <paramref name="rule"/> allows the caller to act on <paramref name="target"/>. An unknown rule
    /// denies; with <see cref="EnforceScope"/> a token without a project is denied everything (upstream's rules
    /// are all project-scoped).
    /// </summary>
    public bool Authorize(string rule, PolicyCredentials credentials, PolicyTarget target)
    {
        if (EnforceScope && credentials.ProjectId is null)
        {
            return false;
        }

        return _rules.TryGetValue(rule, out var check) && check.Evaluate(credentials, target, this, 0);
    }

    /// <summary>The policy file to read: an absolute path, or a relative one found in the working directory or /etc/octavia.</summary>
    private static string? FindFile(string? configured)
    {
        if (string.IsNullOrWhiteSpace(configured))
        {
            return null;
        }

        if (Path.IsPathRooted(configured))
        {
            return File.Exists(configured) ? configured : null;
        }

        return new[] { Path.GetFullPath(configured), Path.Combine("/etc/octavia", configured) }.FirstOrDefault(File.Exists);
    }
}
