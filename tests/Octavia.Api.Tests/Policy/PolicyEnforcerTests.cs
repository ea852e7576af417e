using Octavia.Api.Policy;
using Octavia.Core.Configuration;

namespace Octavia.Api.Tests.Policy;

/// <summary>The check-string language, upstream's defaults in both variants, and the operator's policy file.</summary>
public sealed class PolicyEnforcerTests : IDisposable
{
    private const string Owner = "project-a";
    private readonly string _dir = Directory.CreateTempSubdirectory("octavia-policy-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static PolicyCredentials Caller(params string[] roles) => new("user-1", Owner, roles, false);

    private static bool Check(string check, PolicyCredentials caller, string? target = Owner, Dictionary<string, string>? rules = null)
    {
        var named = (rules ?? []).ToDictionary(r => r.Key, r => PolicyParser.Parse(r.Value));
        return PolicyParser.Parse(check).Evaluate(caller, new PolicyTarget(target), new Rules(named), 0);
    }

    private sealed class Rules(Dictionary<string, PolicyCheck> rules) : IPolicyRules
    {
        public PolicyCheck? Find(string name) => rules.GetValueOrDefault(name);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("@", true)]
    [InlineData("!", false)]
    [InlineData("role:reader", true)]
    [InlineData("role:READER", true)]
    [InlineData("role:admin", false)]
    [InlineData("not role:admin", true)]
    [InlineData("role:admin or role:reader", true)]
    [InlineData("role:admin and role:reader", false)]
    [InlineData("role:reader or role:admin and !", true)]
    [InlineData("(role:reader or role:admin) and !", false)]
    [InlineData("not (role:admin or role:member)", true)]
    [InlineData("((role:reader)) and project_id:%(project_id)s", true)]
    [InlineData("project_id:project-a", true)]
    [InlineData("project_id:'project-a'", true)]
    [InlineData("user_id:user-1 and is_admin:False", true)]
    [InlineData("is_admin:True", false)]
    [InlineData("system_scope:all", false)]
    [InlineData("rule:reader_rule", true)]
    [InlineData("rule:no_such_rule", false)]
    [InlineData("rule:loop", false)]
    public void Evaluate_CheckString_FollowsOsloPolicy(string check, bool expected) =>
        Assert.Equal(expected, Check(check, Caller("reader"), rules: new() { ["reader_rule"] = "role:reader", ["loop"] = "rule:loop" }));

    [Fact]
    public void Evaluate_ProjectOfAnotherTarget_IsFalse()
    {
        Assert.False(Check("project_id:%(project_id)s", Caller("member"), "project-b"));
        Assert.False(Check("project_id:%(project_id)s", Caller("member"), null));
    }

    [Theory]
    [InlineData("role:a or")]
    [InlineData("(role:a")]
    [InlineData("role:a)")]
    [InlineData("and role:a")]
    [InlineData("reader")]
    [InlineData("role:")]
    public void Parse_MalformedCheck_IsRefused(string check) => Assert.Throws<FormatException>(() => PolicyParser.Parse(check));

    [Theory]
    [InlineData(false, "load-balancer_member", true)]
    [InlineData(false, "member", true)]
    [InlineData(false, "load-balancer_observer", false)]
    [InlineData(true, "load-balancer_member", false)]
    [InlineData(true, "member", true)]
    [InlineData(true, "reader", false)]
    public void Authorize_DefaultWriteRule_DependsOnEnforceNewDefaults(bool enforceNewDefaults, string role, bool allowed)
    {
        var policy = new PolicyEnforcer(new OsloPolicyOptions { EnforceNewDefaults = enforceNewDefaults, PolicyFile = "" });
        Assert.Equal(allowed, policy.Authorize("os_load-balancer_api:loadbalancer:put", Caller(role), new PolicyTarget(Owner)));
        Assert.False(policy.Authorize("os_load-balancer_api:loadbalancer:put", Caller(role), new PolicyTarget("project-b")));
    }

    [Fact]
    public void IsAdmin_LoadBalancerAdminRole_OnlyWithDeprecatedDefaults()
    {
        Assert.True(new PolicyEnforcer(new OsloPolicyOptions { PolicyFile = "" }).IsAdmin(Caller("load-balancer_admin")));
        Assert.False(new PolicyEnforcer(new OsloPolicyOptions { EnforceNewDefaults = true, PolicyFile = "" }).IsAdmin(Caller("load-balancer_admin")));
    }

    [Fact]
    public void Authorize_EnforceScope_RefusesATokenWithoutProject()
    {
        var policy = new PolicyEnforcer(new OsloPolicyOptions { EnforceScope = true, PolicyFile = "" });
        Assert.False(policy.Authorize("os_load-balancer_api:provider:get_all", new PolicyCredentials("u", null, ["admin"], true), new PolicyTarget(null)));
    }

    [Fact]
    public void PolicyFile_Yaml_OverridesTheNamedRulesOnly()
    {
        var path = Path.Combine(_dir, "policy.yaml");
        File.WriteAllText(path, """
            # operator overrides
            "os_load-balancer_api:loadbalancer:get_all": "!"
            os_load-balancer_api:flavor:post: 'role:reader'   # plain key
            "load-balancer:member_and_owner": "role:lb_writer and rule:load-balancer:owner"

            """);
        var policy = new PolicyEnforcer(new OsloPolicyOptions { PolicyFile = path });
        var target = new PolicyTarget(Owner);
        Assert.Equal(path, policy.PolicyPath);
        Assert.False(policy.Authorize("os_load-balancer_api:loadbalancer:get_all", Caller("admin"), target));
        Assert.True(policy.Authorize("os_load-balancer_api:flavor:post", Caller("reader"), target));
        Assert.True(policy.Authorize("os_load-balancer_api:pool:put", Caller("lb_writer"), target));

        // A replaced base rule loses its deprecated alternative.
        Assert.False(policy.Authorize("os_load-balancer_api:pool:put", Caller("load-balancer_member"), target));
        Assert.True(policy.Authorize("os_load-balancer_api:pool:get_one", Caller("load-balancer_observer"), target));
    }

    [Fact]
    public void PolicyFile_Json_IsAccepted()
    {
        var path = Path.Combine(_dir, "policy.json");
        File.WriteAllText(path, """{"os_load-balancer_api:provider:get_all": "role:special"}""");
        var policy = new PolicyEnforcer(new OsloPolicyOptions { PolicyFile = path });
        Assert.True(policy.Authorize("os_load-balancer_api:provider:get_all", Caller("special"), new PolicyTarget(Owner)));
    }

    [Fact]
    public void PolicyFile_Missing_MeansTheDefaults() =>
        Assert.Null(new PolicyEnforcer(new OsloPolicyOptions { PolicyFile = Path.Combine(_dir, "absent.yaml") }).PolicyPath);

    [Theory]
    [InlineData("\"os_load-balancer_api:loadbalancer:get_all\": \"role:a or\"", "rule \"os_load-balancer_api:loadbalancer:get_all\"")]
    [InlineData("just some words", "line 1")]
    [InlineData("a: \"x\"\na: \"y\"", "given twice")]
    [InlineData("{not json", "JSON")]
    public void PolicyFile_Invalid_FailsValidationWithTheReason(string text, string reason)
    {
        var path = Path.Combine(_dir, "bad.yaml");
        File.WriteAllText(path, text);
        var result = new PolicyFileValidator().Validate(null, new OsloPolicyOptions { PolicyFile = path });
        Assert.True(result.Failed);
        Assert.Contains(reason, result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains(path, result.FailureMessage, StringComparison.Ordinal);
    }
}
