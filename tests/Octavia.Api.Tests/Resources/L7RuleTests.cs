using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Octavia.Api.Tests.Infrastructure;
using Octavia.Core.Model;

namespace Octavia.Api.Tests.Resources;

/// <summary>L7 rules (reference/api.md §11.2; envelope <c>rule</c>/<c>rules</c>), run on each database.</summary>
public abstract class L7RuleTests(OctaviaFixture fixture)
{
    private HttpClient Client => fixture.Client;

    private sealed record Setup(string LoadBalancerId, string ListenerId, string PolicyId, string Project)
    {
        public string Rules => $"/v2/lbaas/l7policies/{PolicyId}/rules";
    }

    private async Task<Setup> SetupAsync()
    {
        var project = "p-" + Guid.NewGuid().ToString("N")[..10];
        var lb = await Client.CreateLoadBalancerAsync("rules", project: project);
        var listener = await fixture.ListenerAsync(lb);
        var response = await Client.ApiPostAsync("/v2/lbaas/l7policies", "{\"l7policy\": {\"listener_id\": \"" + listener + "\", \"action\": \"REJECT\"}}");
        Assert.True(response.Status == HttpStatusCode.Created, response.Raw);
        await Client.WaitForLoadBalancerAsync(lb);
        return new Setup(lb, listener, response.Json["l7policy"]!["id"]!.GetValue<string>(), project);
    }

    private static string Str(JsonNode node, string key) => node[key]!.GetValue<string>();

    private async Task<JsonNode> CreateAsync(Setup s, string body)
    {
        var response = await Client.ApiPostAsync(s.Rules, body);
        Assert.True(response.Status == HttpStatusCode.Created, response.Raw);
        await Client.WaitForLoadBalancerAsync(s.LoadBalancerId);
        return response.Json["rule"]!;
    }

    [Fact]
    public async Task Create_ReturnsShape_ThenActiveOnline()
    {
        var s = await SetupAsync();
        var response = await Client.ApiPostAsync(s.Rules, """{"rule": {"type": "PATH", "compare_type": "STARTS_WITH", "value": "/api", "key": "dropped"}}""");

        Assert.Equal(HttpStatusCode.Created, response.Status);
        var rule = response.Json["rule"]!;
        Assert.Equal(
            ["id", "type", "compare_type", "key", "value", "invert", "provisioning_status", "operating_status", "created_at", "updated_at",
             "project_id", "admin_state_up", "tags", "tenant_id"],
            rule.AsObject().Select(p => p.Key).ToArray());
        Assert.Equal("PENDING_CREATE", Str(rule, "provisioning_status"));
        Assert.Equal("OFFLINE", Str(rule, "operating_status"));
        Assert.Null(rule["key"]);
        Assert.False(rule["invert"]!.GetValue<bool>());
        Assert.Equal(s.Project, Str(rule, "project_id"));

        var id = Str(rule, "id");
        var done = await Client.WaitForStableAsync($"{s.Rules}/{id}", "rule");
        Assert.Equal("ACTIVE", Str(done, "provisioning_status"));
        Assert.Equal("ONLINE", Str(done, "operating_status"));
        await Client.WaitForLoadBalancerAsync(s.LoadBalancerId);

        var policy = await Client.ApiGetAsync($"/v2/lbaas/l7policies/{s.PolicyId}");
        Assert.Equal(id, Str(policy.Json["l7policy"]!["rules"]!.AsArray().Single()!, "id"));
        Assert.Equal("ACTIVE", Str(policy.Json["l7policy"]!, "provisioning_status"));
    }

    [Theory]
    [InlineData("HOST_NAME", "EQUAL_TO", null, "www.example.com")]
    [InlineData("HOST_NAME", "REGEX", null, "^.*\\\\.example\\\\.com$")]
    [InlineData("PATH", "CONTAINS", null, "/images/")]
    [InlineData("FILE_TYPE", "EQUAL_TO", null, "jpg")]
    [InlineData("FILE_TYPE", "REGEX", null, "jpe?g")]
    [InlineData("HEADER", "ENDS_WITH", "X-Thing", "value")]
    [InlineData("HEADER", "EQUAL_TO", "X-Thing", "\\\"quoted value\\\"")]
    [InlineData("COOKIE", "EQUAL_TO", "session", "abc=def")]
    [InlineData("SSL_CONN_HAS_CERT", "EQUAL_TO", null, "True")]
    [InlineData("SSL_VERIFY_RESULT", "EQUAL_TO", null, "0")]
    [InlineData("SSL_DN_FIELD", "STARTS_WITH", "CN", "example")]
    public async Task Create_ValidRuleTypes_Return201(string type, string compare, string? key, string value)
    {
        var s = await SetupAsync();
        var keyPart = key is null ? "" : $", \"key\": \"{key}\"";
        var rule = await CreateAsync(s, $"{{\"rule\": {{\"type\": \"{type}\", \"compare_type\": \"{compare}\", \"value\": \"{value}\"{keyPart}}}}}");
        Assert.Equal(type, Str(rule, "type"));
    }

    [Theory]
    [InlineData("""{"rule": {"compare_type": "EQUAL_TO", "value": "x"}}""", "Invalid input for field/attribute type. Value: 'None'. Mandatory field missing.")]
    [InlineData("""{"rule": {"type": "PATH", "value": "x"}}""", "compare_type")]
    [InlineData("""{"rule": {"type": "PATH", "compare_type": "EQUAL_TO"}}""", "value")]
    [InlineData("""{"rule": {"type": "URL", "compare_type": "EQUAL_TO", "value": "x"}}""", "type")]
    [InlineData("""{"rule": {"type": "PATH", "compare_type": "LIKE", "value": "x"}}""", "compare_type")]
    [InlineData("""{"rule": {"type": "PATH", "compare_type": "EQUAL_TO", "value": "a\r\nb"}}""", "value")]
    [InlineData("""{"rule": {"type": "HEADER", "compare_type": "EQUAL_TO", "key": "X\nY", "value": "b"}}""", "key")]
    [InlineData("""{"rule": {"type": "PATH", "compare_type": "EQUAL_TO", "value": ""}}""", "Error parsing L7Rule: Invalid L7 Rule: L7 rule type requires a value")]
    [InlineData("""{"rule": {"type": "PATH", "compare_type": "REGEX", "value": "(unclosed"}}""", "Error parsing L7Rule: Unable to parse regular expression")]
    [InlineData("""{"rule": {"type": "PATH", "compare_type": "EQUAL_TO", "value": "with space"}}""", "Error parsing L7Rule: Invalid characters in comparison value")]
    [InlineData("""{"rule": {"type": "FILE_TYPE", "compare_type": "STARTS_WITH", "value": "jp"}}""", "Error parsing L7Rule: Invalid L7 Rule: invalid comparison type for rule type")]
    [InlineData("""{"rule": {"type": "HEADER", "compare_type": "EQUAL_TO", "value": "v"}}""", "Error parsing L7Rule: Invalid L7 Rule: L7 rule type requires a key")]
    [InlineData("""{"rule": {"type": "HEADER", "compare_type": "EQUAL_TO", "key": "Bad Key", "value": "v"}}""", "Error parsing L7Rule: Invalid characters in key")]
    [InlineData("""{"rule": {"type": "HEADER", "compare_type": "EQUAL_TO", "key": "X", "value": "a b"}}""", "Error parsing L7Rule: Invalid characters in header value")]
    [InlineData("""{"rule": {"type": "COOKIE", "compare_type": "EQUAL_TO", "key": "c", "value": "a;b"}}""", "Error parsing L7Rule: Invalid characters in cookie value")]
    [InlineData("""{"rule": {"type": "COOKIE", "compare_type": "EQUAL_TO", "value": "v"}}""", "Error parsing L7Rule: Invalid L7 Rule: L7 rule type requires a key")]
    [InlineData("""{"rule": {"type": "SSL_CONN_HAS_CERT", "compare_type": "EQUAL_TO", "value": "False"}}""", "Error parsing L7Rule: Invalid L7 Rule: L7rule value False is not a boolean True string.")]
    [InlineData("""{"rule": {"type": "SSL_CONN_HAS_CERT", "compare_type": "EQUAL_TO", "key": "k", "value": "True"}}""", "does not use the \"key\" field.")]
    [InlineData("""{"rule": {"type": "SSL_CONN_HAS_CERT", "compare_type": "REGEX", "value": "True"}}""", "Error parsing L7Rule: Invalid L7 Rule: L7rule type SSL_CONN_HAS_CERT only supports the EQUAL_TO compare type.")]
    [InlineData("""{"rule": {"type": "SSL_VERIFY_RESULT", "compare_type": "EQUAL_TO", "value": "-1"}}""", "Error parsing L7Rule: Invalid L7 Rule: L7rule type SSL_VERIFY_RESULT needs a int value, which is >= 0")]
    [InlineData("""{"rule": {"type": "SSL_VERIFY_RESULT", "compare_type": "CONTAINS", "value": "1"}}""", "only supports the EQUAL_TO compare type.")]
    [InlineData("""{"rule": {"type": "SSL_DN_FIELD", "compare_type": "EQUAL_TO", "value": "v"}}""", "Error parsing L7Rule: Invalid L7 Rule: L7rule type SSL_DN_FIELD needs to specify a key and a value.")]
    [InlineData("""{"rule": {"type": "SSL_DN_FIELD", "compare_type": "EQUAL_TO", "key": "1CN", "value": "v"}}""", "Error parsing L7Rule: Invalid L7 Rule: Invalid L7rule distinguished name field.")]
    [InlineData("""{"rule": {"type": "PATH", "compare_type": "EQUAL_TO", "value": "/x", "l7policy_id": "x"}}""", "l7policy_id")]
    public async Task Create_WithBadRule_Returns400(string body, string expected)
    {
        var s = await SetupAsync();
        var response = await Client.ApiPostAsync(s.Rules, body);
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Contains(expected, response.Fault, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Update_MergesAndValidates_ThenActive()
    {
        var s = await SetupAsync();
        var rule = await CreateAsync(s, """{"rule": {"type": "HEADER", "compare_type": "EQUAL_TO", "key": "X-A", "value": "v", "invert": true}}""");
        var path = $"{s.Rules}/{Str(rule, "id")}";

        var response = await Client.ApiPutAsync(path, """{"rule": {"value": "w", "invert": null, "tags": ["t"]}}""");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        var updated = response.Json["rule"]!;
        Assert.Equal("PENDING_UPDATE", Str(updated, "provisioning_status"));
        Assert.Equal("w", Str(updated, "value"));
        Assert.Equal("X-A", Str(updated, "key"));
        Assert.False(updated["invert"]!.GetValue<bool>());
        var done = await Client.WaitForStableAsync(path, "rule");
        Assert.Equal("ACTIVE", Str(done, "provisioning_status"));
        await Client.WaitForLoadBalancerAsync(s.LoadBalancerId);

        // Switching to a type without a key drops the key.
        var toPath = await Client.ApiPutAsync(path, """{"rule": {"type": "PATH", "value": "/p"}}""");
        Assert.Equal(HttpStatusCode.OK, toPath.Status);
        Assert.Null(toPath.Json["rule"]!["key"]);
        await Client.WaitForLoadBalancerAsync(s.LoadBalancerId);

        var needsKey = await Client.ApiPutAsync(path, """{"rule": {"type": "COOKIE"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, needsKey.Status);
        Assert.Equal("Error parsing L7Rule: Invalid L7 Rule: L7 rule type requires a key", needsKey.Fault);
    }

    [Fact]
    public async Task Delete_RemovesRule()
    {
        var s = await SetupAsync();
        var rule = await CreateAsync(s, """{"rule": {"type": "PATH", "compare_type": "EQUAL_TO", "value": "/x"}}""");
        var path = $"{s.Rules}/{Str(rule, "id")}";
        Assert.Equal(HttpStatusCode.NoContent, (await Client.ApiDeleteAsync(path)).Status);
        await Client.WaitForLoadBalancerAsync(s.LoadBalancerId);
        var gone = await Client.ApiGetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
        Assert.Equal($"L7 Rule {Str(rule, "id")} not found.", gone.Fault);
    }

    [Fact]
    public async Task NotFound_ForUnknownPolicyOrRuleOfAnotherPolicy()
    {
        var missing = await Client.ApiGetAsync("/v2/lbaas/l7policies/00000000-1111-2222-3333-444444444444/rules");
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal("L7 Policy 00000000-1111-2222-3333-444444444444 not found.", missing.Fault);

        var s1 = await SetupAsync();
        var s2 = await SetupAsync();
        var rule = await CreateAsync(s1, """{"rule": {"type": "PATH", "compare_type": "EQUAL_TO", "value": "/x"}}""");
        var cross = await Client.ApiGetAsync($"{s2.Rules}/{Str(rule, "id")}");
        Assert.Equal(HttpStatusCode.NotFound, cross.Status);
    }

    [Fact]
    public async Task Create_FiftyFirstRule_Returns409()
    {
        var s = await SetupAsync();
        await fixture.WithDbAsync(db =>
        {
            for (var i = 0; i < 50; i++)
            {
                db.L7Rules.Add(new L7Rule
                {
                    Id = Guid.NewGuid().ToString(),
                    ProjectId = s.Project,
                    L7PolicyId = s.PolicyId,
                    Type = "PATH",
                    CompareType = "EQUAL_TO",
                    Value = "/" + i,
                    ProvisioningStatus = "ACTIVE",
                    OperatingStatus = "ONLINE",
                    CreatedAt = DateTime.UtcNow,
                });
            }

            return Task.CompletedTask;
        });
        var response = await Client.ApiPostAsync(s.Rules, """{"rule": {"type": "PATH", "compare_type": "EQUAL_TO", "value": "/x"}}""");
        Assert.Equal(HttpStatusCode.Conflict, response.Status);
        Assert.Equal($"Too many rules on L7 policy {s.PolicyId}", response.Fault);
    }

    [Fact]
    public async Task Mutations_WhenPolicyOrLoadBalancerNotActive_Return409()
    {
        var s = await SetupAsync();
        var rule = await CreateAsync(s, """{"rule": {"type": "PATH", "compare_type": "EQUAL_TO", "value": "/x"}}""");
        await fixture.SetL7PolicyStatusAsync(s.PolicyId, "PENDING_UPDATE");
        var create = await Client.ApiPostAsync(s.Rules, """{"rule": {"type": "PATH", "compare_type": "EQUAL_TO", "value": "/y"}}""");
        Assert.Equal(HttpStatusCode.Conflict, create.Status);
        Assert.Equal($"L7Policy {s.PolicyId} is immutable and cannot be updated.", create.Fault);
        await fixture.SetL7PolicyStatusAsync(s.PolicyId, "ACTIVE");

        await fixture.SetLoadBalancerStatusAsync(s.LoadBalancerId, "ERROR");
        var update = await Client.ApiPutAsync($"{s.Rules}/{Str(rule, "id")}", """{"rule": {"value": "/z"}}""");
        Assert.Equal(HttpStatusCode.Conflict, update.Status);
        Assert.Equal($"Load Balancer {s.LoadBalancerId} is immutable and cannot be updated.", update.Fault);
        await fixture.SetLoadBalancerStatusAsync(s.LoadBalancerId, "ACTIVE");

        var policy = await fixture.WithDbAsync(db => db.L7Policies.FirstAsync(p => p.Id == s.PolicyId, TestContext.Current.CancellationToken));
        Assert.Equal("ACTIVE", policy.ProvisioningStatus);
    }

    [Fact]
    public async Task Create_OverQuota_Returns403()
    {
        var s = await SetupAsync();
        await fixture.QuotaAsync(s.Project, q => q.L7Rule = 0);
        var response = await Client.ApiPostAsync(s.Rules, """{"rule": {"type": "PATH", "compare_type": "EQUAL_TO", "value": "/x"}}""");
        Assert.Equal(HttpStatusCode.Forbidden, response.Status);
        Assert.Equal("Quota has been met for resources: L7 Rule", response.Fault);
    }

    [Fact]
    public async Task List_FiltersSortsAndSelectsFields()
    {
        var s = await SetupAsync();
        await CreateAsync(s, """{"rule": {"type": "PATH", "compare_type": "EQUAL_TO", "value": "/b", "tags": ["k"]}}""");
        await CreateAsync(s, """{"rule": {"type": "HOST_NAME", "compare_type": "EQUAL_TO", "value": "a.example", "invert": true}}""");

        var all = await Client.ApiGetAsync($"{s.Rules}?sort=value:asc");
        Assert.Equal(["/b", "a.example"], all.Json["rules"]!.AsArray().Select(r => Str(r!, "value")).ToArray());
        Assert.Equal("[]", all.Json["rules_links"]!.ToJsonString());
        var inverted = await Client.ApiGetAsync($"{s.Rules}?invert=true&fields=type");
        Assert.Equal("""[{"type":"HOST_NAME"}]""", inverted.Json["rules"]!.ToJsonString());
        var tagged = await Client.ApiGetAsync($"{s.Rules}?tags=k");
        Assert.Equal(["PATH"], tagged.Json["rules"]!.AsArray().Select(r => Str(r!, "type")).ToArray());
    }
}

public sealed class L7RuleSqliteTests(SqliteFixture fixture) : L7RuleTests(fixture), IClassFixture<SqliteFixture>;

public sealed class L7RulePostgresTests(PostgresFixture fixture) : L7RuleTests(fixture), IClassFixture<PostgresFixture>;
