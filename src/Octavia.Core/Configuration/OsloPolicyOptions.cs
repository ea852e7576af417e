using Microsoft.Extensions.Configuration;

namespace Octavia.Core.Configuration;

/// <summary>The <c>[oslo_policy]</c> section: which of upstream's default policies apply, and the operator's overrides.</summary>
public sealed class OsloPolicyOptions
{
    public const string SectionName = "oslo_policy";

    /// <summary>
    /// Only the new defaults (roles <c>reader</c>, <c>member</c>, <c>admin</c>); when false the deprecated
    /// <c>load-balancer_*</c> roles are honoured too. oslo.policy's default has changed across releases; here false.
    /// </summary>
    [ConfigurationKeyName("enforce_new_defaults")] public bool EnforceNewDefaults { get; set; }

    /// <summary>Refuse (403) a token not scoped to a project: every rule of upstream's policy has scope <c>project</c>.</summary>
    [ConfigurationKeyName("enforce_scope")] public bool EnforceScope { get; set; }

    /// <summary>The operator's rules (YAML, or JSON); a relative path is looked for in the working directory and <c>/etc/octavia</c>. A missing file means the defaults.</summary>
    [ConfigurationKeyName("policy_file")] public string PolicyFile { get; set; } = "policy.yaml";
}
