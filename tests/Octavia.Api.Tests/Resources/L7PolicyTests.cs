using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Octavia.Api.Tests.Infrastructure;

namespace Octavia.Api.Tests.Resources;

/// <summary>L7 policies (reference/api.md §11.1), run on each database.</summary>
public abstract class L7PolicyTests(OctaviaFixture fixture)
{
    private const string Path = "/v2/lbaas/l7policies";

    private HttpClient Client => fixture.Client;

    private sealed record Setup(string LoadBalancerId, string ListenerId, string PoolId, string Project);

    private async Task<Setup> SetupAsync(string listenerProtocol = "HTTP")
    {
        var project = "p-" + Guid.NewGuid().ToString("N")[..10];
        var lb = await Client.CreateLoadBalancerAsync("l7", project: project);
        var listener = await fixture.ListenerAsync(lb, listenerProtocol);
        var pool = await fixture.PoolAsync(lb);
        return new Setup(lb, listener, pool, project);
    }

    private static string Str(JsonNode node, string key) => node[key]!.GetValue<string>();

    private static string Body(Setup s, string fields) => "{\"l7policy\": {\"listener_id\": \"" + s.ListenerId + "\", " + fields + "}}";

    private async Task<JsonNode> CreateAsync(Setup s, string fields)
    {
        var response = await Client.ApiPostAsync(Path, Body(s, fields));
        Assert.True(response.Status == HttpStatusCode.Created, response.Raw);
        await Client.WaitForLoadBalancerAsync(s.LoadBalancerId);
        return response.Json["l7policy"]!;
    }

    private async Task<Dictionary<string, int>> PositionsAsync(Setup s)
    {
        var response = await Client.ApiGetAsync($"{Path}?listener_id={s.ListenerId}");
        return response.Json["l7policies"]!.AsArray().ToDictionary(p => Str(p!, "name"), p => p!["position"]!.GetValue<int>());
    }

    [Fact]
    public async Task Create_Reject_ReturnsShape_ThenActiveOnline()
    {
        var s = await SetupAsync();
        var response = await Client.ApiPostAsync(Path, Body(s, "\"name\": \"deny\", \"action\": \"REJECT\""));

        Assert.Equal(HttpStatusCode.Created, response.Status);
        var policy = response.Json["l7policy"]!;
        Assert.Equal(
            ["id", "name", "description", "provisioning_status", "operating_status", "admin_state_up", "project_id", "action", "listener_id",
             "redirect_pool_id", "redirect_url", "redirect_prefix", "position", "rules", "created_at", "updated_at", "tags",
             "redirect_http_code", "tenant_id"],
            policy.AsObject().Select(p => p.Key).ToArray());
        Assert.Equal("PENDING_CREATE", Str(policy, "provisioning_status"));
        Assert.Equal("OFFLINE", Str(policy, "operating_status"));
        Assert.Equal(1, policy["position"]!.GetValue<int>());
        Assert.Empty(policy["rules"]!.AsArray());
        Assert.Null(policy["redirect_http_code"]);
        Assert.Equal("", Str(policy, "description"));
        Assert.Equal(s.Project, Str(policy, "project_id"));

        var done = await Client.WaitForStableAsync($"{Path}/{Str(policy, "id")}", "l7policy");
        Assert.Equal("ACTIVE", Str(done, "provisioning_status"));
        Assert.Equal("ONLINE", Str(done, "operating_status"));
        await Client.WaitForLoadBalancerAsync(s.LoadBalancerId);
        var listener = await fixture.WithDbAsync(db => db.Listeners.FirstAsync(l => l.Id == s.ListenerId, TestContext.Current.CancellationToken));
        Assert.Equal("ACTIVE", listener.ProvisioningStatus);
    }

    [Fact]
    public async Task Create_Redirects_SetDefaultCodeAndTargets()
    {
        var s = await SetupAsync();
        var url = await CreateAsync(s, "\"action\": \"REDIRECT_TO_URL\", \"redirect_url\": \"https://example.com/x\"");
        Assert.Equal(302, url["redirect_http_code"]!.GetValue<int>());
        Assert.Equal("https://example.com/x", Str(url, "redirect_url"));

        var prefix = await CreateAsync(s, "\"action\": \"REDIRECT_PREFIX\", \"redirect_prefix\": \"http://example.com\", \"redirect_http_code\": 308");
        Assert.Equal(308, prefix["redirect_http_code"]!.GetValue<int>());

        var pool = await CreateAsync(s, "\"action\": \"REDIRECT_TO_POOL\", \"redirect_pool_id\": \"" + s.PoolId + "\", \"redirect_http_code\": 301");
        Assert.Equal(s.PoolId, Str(pool, "redirect_pool_id"));
        Assert.Null(pool["redirect_http_code"]);

        // A target implies its action.
        var implied = await CreateAsync(s, "\"action\": \"REJECT\", \"redirect_prefix\": \"http://example.org\"");
        Assert.Equal("REDIRECT_PREFIX", Str(implied, "action"));
    }

    [Fact]
    public async Task Positions_StayContiguous_OnInsertMoveAndDelete()
    {
        var s = await SetupAsync();
        await CreateAsync(s, "\"name\": \"a\", \"action\": \"REJECT\"");
        await CreateAsync(s, "\"name\": \"b\", \"action\": \"REJECT\"");
        await CreateAsync(s, "\"name\": \"c\", \"action\": \"REJECT\", \"position\": 1");
        await CreateAsync(s, "\"name\": \"d\", \"action\": \"REJECT\", \"position\": 100");
        Assert.Equal(new Dictionary<string, int> { ["c"] = 1, ["a"] = 2, ["b"] = 3, ["d"] = 4 }, await PositionsAsync(s));

        var list = await Client.ApiGetAsync($"{Path}?listener_id={s.ListenerId}&name=d");
        var d = Str(list.Json["l7policies"]!.AsArray().Single()!, "id");
        var move = await Client.ApiPutAsync($"{Path}/{d}", """{"l7policy": {"position": 2}}""");
        Assert.Equal(HttpStatusCode.OK, move.Status);
        Assert.Equal(2, move.Json["l7policy"]!["position"]!.GetValue<int>());
        await Client.WaitForLoadBalancerAsync(s.LoadBalancerId);
        Assert.Equal(new Dictionary<string, int> { ["c"] = 1, ["d"] = 2, ["a"] = 3, ["b"] = 4 }, await PositionsAsync(s));

        var c = (await Client.ApiGetAsync($"{Path}?listener_id={s.ListenerId}&position=1")).Json["l7policies"]!.AsArray().Single()!;
        Assert.Equal(HttpStatusCode.NoContent, (await Client.ApiDeleteAsync($"{Path}/{Str(c, "id")}")).Status);
        await Client.WaitForLoadBalancerAsync(s.LoadBalancerId);
        Assert.Equal(new Dictionary<string, int> { ["d"] = 1, ["a"] = 2, ["b"] = 3 }, await PositionsAsync(s));
    }

    [Fact]
    public async Task Update_SwitchingAction_ClearsFieldsThatNoLongerApply()
    {
        var s = await SetupAsync();
        var policy = await CreateAsync(s, "\"action\": \"REDIRECT_TO_URL\", \"redirect_url\": \"http://example.com\", \"redirect_http_code\": 301");
        var path = $"{Path}/{Str(policy, "id")}";

        var toPool = await Client.ApiPutAsync(path, "{\"l7policy\": {\"redirect_pool_id\": \"" + s.PoolId + "\"}}");
        Assert.Equal(HttpStatusCode.OK, toPool.Status);
        var p = toPool.Json["l7policy"]!;
        Assert.Equal("PENDING_UPDATE", Str(p, "provisioning_status"));
        Assert.Equal("REDIRECT_TO_POOL", Str(p, "action"));
        Assert.Null(p["redirect_url"]);
        Assert.Null(p["redirect_http_code"]);
        await Client.WaitForLoadBalancerAsync(s.LoadBalancerId);

        var toReject = await Client.ApiPutAsync(path, """{"l7policy": {"action": "REJECT", "name": "r"}}""");
        Assert.Equal(HttpStatusCode.OK, toReject.Status);
        Assert.Null(toReject.Json["l7policy"]!["redirect_pool_id"]);
        Assert.Equal("r", Str(toReject.Json["l7policy"]!, "name"));
        await Client.WaitForLoadBalancerAsync(s.LoadBalancerId);

        var toPrefix = await Client.ApiPutAsync(path, """{"l7policy": {"redirect_prefix": "https://example.net"}}""");
        Assert.Equal("REDIRECT_PREFIX", Str(toPrefix.Json["l7policy"]!, "action"));
        Assert.Equal(302, toPrefix.Json["l7policy"]!["redirect_http_code"]!.GetValue<int>());
        var done = await Client.WaitForStableAsync(path, "l7policy");
        Assert.Equal("ACTIVE", Str(done, "provisioning_status"));
        await Client.WaitForLoadBalancerAsync(s.LoadBalancerId);

        var empty = await Client.ApiPutAsync(path, """{"l7policy": {}}""");
        Assert.Equal(HttpStatusCode.BadRequest, empty.Status);
        Assert.Equal("Invalid L7 Policy arguments: Invalid update options", empty.Fault);

        var urlMissing = await Client.ApiPutAsync(path, """{"l7policy": {"action": "REDIRECT_TO_URL"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, urlMissing.Status);
        Assert.Equal("Invalid L7 Policy arguments: redirect_url must not be None", urlMissing.Fault);
    }

    [Theory]
    [InlineData("\"name\": \"x\"", "Invalid input for field/attribute action. Value: 'None'. Mandatory field missing.")]
    [InlineData("\"action\": \"DROP\"", "action")]
    [InlineData("\"action\": \"REDIRECT_TO_URL\"", "Invalid L7 Policy arguments: redirect_url must not be None")]
    [InlineData("\"action\": \"REDIRECT_TO_POOL\"", "Invalid L7 Policy arguments: redirect_pool_id or redirect_pool must not be None")]
    [InlineData("\"action\": \"REDIRECT_PREFIX\"", "Invalid L7 Policy arguments: redirect_prefix must not be None")]
    [InlineData("\"action\": \"REDIRECT_PREFIX\", \"redirect_prefix\": \"http://a.example\", \"redirect_pool_id\": \"8a2b7c1e-4d3f-4a5b-9c6d-7e8f9a0b1c2d\"",
        "Invalid L7 Policy arguments: Cannot specify redirect_pool_id and redirect_url or redirect_prefix at the same time")]
    [InlineData("\"action\": \"REDIRECT_TO_URL\", \"redirect_url\": \"ftp://a.example\"",
        "Invalid input for field/attribute redirect_url. Value: 'ftp://a.example'. Value must be a valid URL string")]
    [InlineData("\"action\": \"REDIRECT_TO_URL\", \"redirect_url\": \"http://a.example/x y\"", "redirect_url")]
    [InlineData("\"action\": \"REDIRECT_TO_URL\", \"redirect_url\": \"http://a.example/\\nbackend evil\"", "redirect_url")]
    [InlineData("\"action\": \"REDIRECT_TO_URL\", \"redirect_url\": \"/relative\"", "redirect_url")]
    [InlineData("\"action\": \"REDIRECT_PREFIX\", \"redirect_prefix\": \"example.com\"", "redirect_prefix")]
    [InlineData("\"action\": \"REDIRECT_TO_URL\", \"redirect_url\": \"http://a.example\", \"redirect_http_code\": 305", "redirect_http_code")]
    [InlineData("\"action\": \"REJECT\", \"position\": 0", "position")]
    [InlineData("\"action\": \"REJECT\", \"redirect_pool_id\": \"nope\"", "redirect_pool_id")]
    [InlineData("\"action\": \"REJECT\", \"bogus\": true", "bogus")]
    [InlineData("\"action\": \"REJECT\", \"rules\": [{\"type\": \"PATH\", \"compare_type\": \"EQUAL_TO\", \"value\": \"/x\"}]", "rules")]
    public async Task Create_WithBadField_Returns400NamingIt(string fields, string expected)
    {
        var s = await SetupAsync();
        var response = await Client.ApiPostAsync(Path, Body(s, fields));
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Contains(expected, response.Fault, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_WithoutListener_Returns400()
    {
        var response = await Client.ApiPostAsync(Path, """{"l7policy": {"action": "REJECT"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Contains("listener_id", response.Fault, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_OnTcpListener_Returns501()
    {
        var s = await SetupAsync("TCP");
        var response = await Client.ApiPostAsync(Path, Body(s, "\"action\": \"REJECT\""));
        Assert.Equal(HttpStatusCode.NotImplemented, response.Status);
        Assert.Equal("Provider 'amphora' does not support a requested option: TCP protocol listeners do not support L7 policies", response.Fault);
    }

    [Fact]
    public async Task Create_OnPrometheusListener_Returns400()
    {
        var s = await SetupAsync("PROMETHEUS");
        var response = await Client.ApiPostAsync(Path, Body(s, "\"action\": \"REJECT\""));
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("Protocol PROMETHEUS listeners cannot have child objects.", response.Fault);
    }

    [Fact]
    public async Task Create_RedirectPoolChecks()
    {
        var s = await SetupAsync();
        var other = await Client.CreateLoadBalancerAsync("other", project: s.Project);
        var foreignPool = await fixture.PoolAsync(other);
        var foreign = await Client.ApiPostAsync(Path, Body(s, "\"action\": \"REDIRECT_TO_POOL\", \"redirect_pool_id\": \"" + foreignPool + "\""));
        Assert.Equal(HttpStatusCode.NotFound, foreign.Status);
        Assert.Equal($"Pool {foreignPool} not found.", foreign.Fault);

        var tcpPool = await fixture.PoolAsync(s.LoadBalancerId, "TCP");
        var incompatible = await Client.ApiPostAsync(Path, Body(s, "\"action\": \"REDIRECT_TO_POOL\", \"redirect_pool_id\": \"" + tcpPool + "\""));
        Assert.Equal(HttpStatusCode.BadRequest, incompatible.Status);
        Assert.Equal("Validation failure: The pool protocol 'TCP' is invalid while the listener protocol is 'HTTP'.", incompatible.Fault);
    }

    [Fact]
    public async Task Create_UnknownListener_Returns404()
    {
        var id = Guid.NewGuid().ToString();
        var response = await Client.ApiPostAsync(Path, "{\"l7policy\": {\"listener_id\": \"" + id + "\", \"action\": \"REJECT\"}}");
        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal($"Listener {id} not found.", response.Fault);
    }

    [Fact]
    public async Task Mutations_WhenLoadBalancerNotActive_Return409()
    {
        var s = await SetupAsync();
        var policy = await CreateAsync(s, "\"action\": \"REJECT\"");
        await fixture.SetLoadBalancerStatusAsync(s.LoadBalancerId, "PENDING_UPDATE");
        var create = await Client.ApiPostAsync(Path, Body(s, "\"action\": \"REJECT\""));
        Assert.Equal(HttpStatusCode.Conflict, create.Status);
        Assert.Equal($"Load Balancer {s.LoadBalancerId} is immutable and cannot be updated.", create.Fault);
        Assert.Equal(HttpStatusCode.Conflict, (await Client.ApiPutAsync($"{Path}/{Str(policy, "id")}", """{"l7policy": {"name": "n"}}""")).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await Client.ApiDeleteAsync($"{Path}/{Str(policy, "id")}")).Status);
        await fixture.SetLoadBalancerStatusAsync(s.LoadBalancerId, "ACTIVE");
        Assert.Single(await PositionsAsync(s));
    }

    [Fact]
    public async Task Create_OverQuota_Returns403()
    {
        var s = await SetupAsync();
        await fixture.QuotaAsync(s.Project, q => q.L7Policy = 1);
        await CreateAsync(s, "\"action\": \"REJECT\"");
        var response = await Client.ApiPostAsync(Path, Body(s, "\"action\": \"REJECT\""));
        Assert.Equal(HttpStatusCode.Forbidden, response.Status);
        Assert.Equal("Quota has been met for resources: L7 Policy", response.Fault);
    }

    [Fact]
    public async Task Get_Unknown_Returns404_AndFieldsSelect()
    {
        var missing = await Client.ApiGetAsync($"{Path}/00000000-1111-2222-3333-444444444444");
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal("L7 Policy 00000000-1111-2222-3333-444444444444 not found.", missing.Fault);

        var s = await SetupAsync();
        var policy = await CreateAsync(s, "\"action\": \"REJECT\", \"tags\": [\"t1\"]");
        var one = await Client.ApiGetAsync($"{Path}/{Str(policy, "id")}?fields=action&fields=rules");
        Assert.Equal(["action", "rules"], one.Json["l7policy"]!.AsObject().Select(p => p.Key).ToArray());
    }

    [Fact]
    public async Task List_FiltersSortsAndTags()
    {
        var s = await SetupAsync();
        await CreateAsync(s, "\"name\": \"x\", \"action\": \"REJECT\", \"tags\": [\"blue\"]");
        await CreateAsync(s, "\"name\": \"y\", \"action\": \"REDIRECT_TO_URL\", \"redirect_url\": \"http://a.example\"");

        var urls = await Client.ApiGetAsync($"{Path}?listener_id={s.ListenerId}&action=REDIRECT_TO_URL");
        Assert.Equal(["y"], urls.Json["l7policies"]!.AsArray().Select(p => Str(p!, "name")).ToArray());
        var desc = await Client.ApiGetAsync($"{Path}?listener_id={s.ListenerId}&sort=position:desc");
        Assert.Equal(["y", "x"], desc.Json["l7policies"]!.AsArray().Select(p => Str(p!, "name")).ToArray());
        var tagged = await Client.ApiGetAsync($"{Path}?project_id={s.Project}&tags-any=blue,green");
        Assert.Equal(["x"], tagged.Json["l7policies"]!.AsArray().Select(p => Str(p!, "name")).ToArray());
        var page = await Client.ApiGetAsync($"{Path}?listener_id={s.ListenerId}&limit=1");
        Assert.Equal("next", Str(page.Json["l7policies_links"]!.AsArray().Single()!, "rel"));
    }
}

public sealed class L7PolicySqliteTests(SqliteFixture fixture) : L7PolicyTests(fixture), IClassFixture<SqliteFixture>;

public sealed class L7PolicyPostgresTests(PostgresFixture fixture) : L7PolicyTests(fixture), IClassFixture<PostgresFixture>;
