namespace Octavia.Api.Policy;

/// <summary>
/// Upstream's default policy (reference/controller.md §9, api.md §15): the base rules, each with the check of
/// the new defaults and, where upstream deprecated one, the old check, and one rule per API action.
/// </summary>
public static class PolicyDefaults
{
    public const string Prefix = "os_load-balancer_api:";

    private const string Read = "rule:load-balancer:read";
    private const string ReadGlobal = "rule:load-balancer:read-global";
    private const string Write = "rule:load-balancer:write";
    private const string Admin = "rule:load-balancer:admin";
    private const string ReadQuota = "rule:load-balancer:read-quota";
    private const string ReadQuotaGlobal = "rule:load-balancer:read-quota-global";
    private const string WriteQuota = "rule:load-balancer:write-quota";

    /// <summary>Base rules: name, new default, deprecated check (honoured while enforce_new_defaults is false).</summary>
    private static readonly (string Name, string Check, string? Deprecated)[] BaseRules =
    [
        ("context_is_admin", "role:admin", "role:admin or role:load-balancer_admin"),
        ("load-balancer:owner", "project_id:%(project_id)s", null),
        ("load-balancer:admin", "is_admin:True or role:admin", "is_admin:True or role:admin or role:load-balancer_admin"),
        ("load-balancer:global_observer", "role:admin", "role:load-balancer_global_observer"),
        ("load-balancer:member_and_owner", "role:member and rule:load-balancer:owner", "role:load-balancer_member and rule:load-balancer:owner"),
        ("load-balancer:observer_and_owner", "role:reader and rule:load-balancer:owner", "role:load-balancer_observer and rule:load-balancer:owner"),
        ("load-balancer:quota-admin", "role:admin", "role:load-balancer_quota_admin"),
        ("service", "role:service", null),
        ("load-balancer:read", "rule:load-balancer:observer_and_owner or rule:load-balancer:global_observer or "
            + "rule:load-balancer:member_and_owner or rule:load-balancer:admin", null),
        ("load-balancer:read-global", "rule:load-balancer:global_observer or rule:load-balancer:admin", null),
        ("load-balancer:write", "rule:load-balancer:member_and_owner or rule:load-balancer:admin", null),
        ("load-balancer:read-quota", "rule:load-balancer:observer_and_owner or rule:load-balancer:global_observer or "
            + "rule:load-balancer:member_and_owner or rule:load-balancer:quota-admin or rule:load-balancer:admin", null),
        ("load-balancer:read-quota-global", "rule:load-balancer:global_observer or rule:load-balancer:quota-admin or rule:load-balancer:admin", null),
        ("load-balancer:write-quota", "rule:load-balancer:quota-admin or rule:load-balancer:admin", null),
    ];

    /// <summary>The API's rules: <c>os_load-balancer_api:&lt;resource&gt;:&lt;action&gt;</c> and their checks.</summary>
    private static readonly (string Resource, (string Action, string Check)[] Actions)[] ApiRules =
    [
        ("loadbalancer", [.. Crud(Read, Write, global: true), ("get_stats", Read), ("get_status", Read), ("put_failover", Admin),
            ("post:vip_sg_ids", Write), ("put:vip_sg_ids", Write)]),
        ("listener", [.. Crud(Read, Write, global: true), ("get_stats", Read)]),
        ("pool", Crud(Read, Write, global: true)),
        ("healthmonitor", Crud(Read, Write, global: true)),
        ("l7policy", Crud(Read, Write, global: true)),
        ("member", [("get_all", Read + " or rule:service"), .. Crud(Read, Write, global: false).Skip(1)]),
        ("l7rule", Crud(Read, Write, global: false)),
        ("quota", [("get_all", ReadQuota), ("get_all-global", ReadQuotaGlobal), ("get_one", ReadQuota), ("put", WriteQuota),
            ("delete", WriteQuota), ("get_defaults", ReadQuota)]),
        ("provider", [("get_all", Read)]),
        ("provider-flavor", [("get_all", Admin)]),
        ("provider-availability-zone", [("get_all", Admin)]),
        ("flavor", Crud(Read, Admin, global: false)),
        ("flavor-profile", Crud(Admin, Admin, global: false)),
        ("availability-zone", Crud(Read, Admin, global: false)),
        ("availability-zone-profile", Crud(Admin, Admin, global: false)),
        ("amphora", [("get_all", Admin), ("get_one", Admin), ("delete", Admin), ("put_config", Admin), ("put_failover", Admin), ("get_stats", Admin)]),
    ];

    private static (string, string)[] Crud(string read, string write, bool global) =>
    [
        ("get_all", read), .. global ? [("get_all-global", ReadGlobal)] : Array.Empty<(string, string)>(),
        ("get_one", read), ("post", write), ("put", write), ("delete", write),
    ];

    /// <summary>
    /// Every default rule's check string. With <paramref name="enforceNewDefaults"/> false a deprecated base rule
    /// is "new or deprecated", as oslo.policy evaluates it.
    /// </summary>
    public static Dictionary<string, string> Rules(bool enforceNewDefaults)
    {
        var rules = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, check, deprecated) in BaseRules)
        {
            rules[name] = deprecated is null || enforceNewDefaults ? check : $"({check}) or ({deprecated})";
        }

        foreach (var (resource, actions) in ApiRules)
        {
            foreach (var (action, check) in actions)
            {
                rules[$"{Prefix}{resource}:{action}"] = check;
            }
        }

        return rules;
    }
}
