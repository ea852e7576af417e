using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Octavia.Api.Tests.Infrastructure;
using Octavia.Core.Model;

namespace Octavia.Api.Tests.Resources;

/// <summary>Health monitors (reference/api.md §10), run on each database.</summary>
public abstract class HealthMonitorTests(OctaviaFixture fixture)
{
    private const string Path = "/v2/lbaas/healthmonitors";

    private HttpClient Client => fixture.Client;

    private sealed record Setup(string LoadBalancerId, string PoolId, string Project);

    private async Task<Setup> SetupAsync(string poolProtocol = "HTTP")
    {
        var project = "p-" + Guid.NewGuid().ToString("N")[..10];
        var lb = await Client.CreateLoadBalancerAsync("hm", project: project);
        var listener = await fixture.ListenerAsync(lb, poolProtocol is "UDP" or "SCTP" ? poolProtocol : "HTTP");
        var pool = await fixture.PoolAsync(lb, poolProtocol, listener);
        return new Setup(lb, pool, project);
    }

    private static string Str(JsonNode node, string key) => node[key]!.GetValue<string>();

    private async Task<JsonNode> CreateAsync(Setup s, string fields)
    {
        var response = await Client.ApiPostAsync(Path, "{\"healthmonitor\": {\"pool_id\": \"" + s.PoolId + "\", " + fields + "}}");
        Assert.True(response.Status == HttpStatusCode.Created, response.Raw);
        await Client.WaitForLoadBalancerAsync(s.LoadBalancerId);
        return response.Json["healthmonitor"]!;
    }

    [Fact]
    public async Task Create_ReturnsSampleShape_ThenActiveOnline()
    {
        var s = await SetupAsync();
        var response = await Client.ApiPostAsync(Path,
            "{\"healthmonitor\": {\"name\": \"hm1\", \"pool_id\": \"" + s.PoolId + "\", \"type\": \"HTTP\", \"delay\": 5, \"max_retries\": 4, \"timeout\": 10, \"url_path\": \"/healthcheck\"}}");

        Assert.Equal(HttpStatusCode.Created, response.Status);
        var hm = response.Json["healthmonitor"]!;
        Assert.Equal(
            ["id", "name", "type", "delay", "timeout", "max_retries", "max_retries_down", "http_method", "url_path", "expected_codes",
             "admin_state_up", "project_id", "pools", "provisioning_status", "operating_status", "created_at", "updated_at", "tags",
             "http_version", "domain_name", "tenant_id"],
            hm.AsObject().Select(p => p.Key).ToArray());
        Assert.Equal("PENDING_CREATE", Str(hm, "provisioning_status"));
        Assert.Equal("OFFLINE", Str(hm, "operating_status"));
        Assert.Equal(3, hm["max_retries_down"]!.GetValue<int>());
        Assert.Equal("GET", Str(hm, "http_method"));
        Assert.Equal("/healthcheck", Str(hm, "url_path"));
        Assert.Equal("200", Str(hm, "expected_codes"));
        Assert.Equal(s.PoolId, Str(hm["pools"]!.AsArray().Single()!, "id"));
        Assert.Equal(s.Project, Str(hm, "tenant_id"));

        var done = await Client.WaitForStableAsync($"{Path}/{Str(hm, "id")}", "healthmonitor");
        Assert.Equal("ACTIVE", Str(done, "provisioning_status"));
        Assert.Equal("ONLINE", Str(done, "operating_status"));
        await Client.WaitForLoadBalancerAsync(s.LoadBalancerId);
        var pool = await fixture.WithDbAsync(db => db.Pools.FirstAsync(p => p.Id == s.PoolId, TestContext.Current.CancellationToken));
        Assert.Equal("ACTIVE", pool.ProvisioningStatus);
    }

    [Fact]
    public async Task Create_NonHttpType_HasNoHttpFields_AndDisabledIsOffline()
    {
        var s = await SetupAsync();
        var hm = await CreateAsync(s, "\"type\": \"TCP\", \"delay\": 5, \"timeout\": 3, \"max_retries\": 2, \"admin_state_up\": false");
        Assert.Null(hm["http_method"]);
        Assert.Null(hm["url_path"]);
        Assert.Null(hm["expected_codes"]);
        var done = await Client.WaitForStableAsync($"{Path}/{Str(hm, "id")}", "healthmonitor");
        Assert.Equal("OFFLINE", Str(done, "operating_status"));
    }

    [Fact]
    public async Task Create_HttpVersionAndDomainName_AreReturned()
    {
        var s = await SetupAsync();
        var hm = await CreateAsync(s, "\"type\": \"HTTPS\", \"delay\": 5, \"timeout\": 3, \"max_retries\": 2, \"http_version\": 1.1, \"domain_name\": \"example.com\", \"http_method\": \"HEAD\", \"expected_codes\": \"200-204\"");
        Assert.Equal(1.1, hm["http_version"]!.GetValue<double>());
        Assert.Equal("example.com", Str(hm, "domain_name"));
        Assert.Equal("HEAD", Str(hm, "http_method"));
        Assert.Equal("200-204", Str(hm, "expected_codes"));
    }

    [Fact]
    public async Task Create_LeavesMembersOperatingStatus()
    {
        var s = await SetupAsync();
        var member = await Client.ApiPostAsync($"/v2/lbaas/pools/{s.PoolId}/members", """{"member": {"address": "192.0.2.10", "protocol_port": 80}}""");
        await Client.WaitForLoadBalancerAsync(s.LoadBalancerId);
        await CreateAsync(s, "\"type\": \"TCP\", \"delay\": 5, \"timeout\": 3, \"max_retries\": 2");
        var after = await Client.ApiGetAsync($"/v2/lbaas/pools/{s.PoolId}/members/{Str(member.Json["member"]!, "id")}");
        Assert.Equal("NO_MONITOR", Str(after.Json["member"]!, "operating_status"));
    }

    [Theory]
    [InlineData("\"type\": \"HTTP\", \"delay\": 5, \"max_retries\": 4, \"timeout\": 10, \"url_path\": \"no-leading-slash\"",
        "Invalid input for field/attribute url_path. Value: 'no-leading-slash'. Value must be a valid URL Path string")]
    [InlineData("\"type\": \"HTTP\", \"delay\": 5, \"max_retries\": 4, \"timeout\": 10, \"url_path\": \"/a b\"", "url_path")]
    [InlineData("\"type\": \"HTTP\", \"delay\": 5, \"max_retries\": 4, \"timeout\": 10, \"url_path\": \"http://host/x\"", "url_path")]
    [InlineData("\"delay\": 5, \"max_retries\": 4, \"timeout\": 10", "Invalid input for field/attribute type. Value: 'None'. Mandatory field missing.")]
    [InlineData("\"type\": \"FOO\", \"delay\": 5, \"max_retries\": 4, \"timeout\": 10", "type")]
    [InlineData("\"type\": \"TCP\", \"max_retries\": 4, \"timeout\": 10", "delay")]
    [InlineData("\"type\": \"TCP\", \"delay\": -1, \"max_retries\": 4, \"timeout\": 10", "delay")]
    [InlineData("\"type\": \"TCP\", \"delay\": 5, \"max_retries\": 4, \"timeout\": -1", "timeout")]
    [InlineData("\"type\": \"TCP\", \"delay\": 5, \"timeout\": 10", "max_retries")]
    [InlineData("\"type\": \"TCP\", \"delay\": 5, \"max_retries\": 11, \"timeout\": 10", "max_retries")]
    [InlineData("\"type\": \"TCP\", \"delay\": 5, \"max_retries\": 0, \"timeout\": 10", "max_retries")]
    [InlineData("\"type\": \"TCP\", \"delay\": 5, \"max_retries\": 3, \"max_retries_down\": 11, \"timeout\": 10", "max_retries_down")]
    [InlineData("\"type\": \"HTTP\", \"delay\": 5, \"max_retries\": 3, \"timeout\": 10, \"http_method\": \"FETCH\"", "http_method")]
    [InlineData("\"type\": \"HTTP\", \"delay\": 5, \"max_retries\": 3, \"timeout\": 10, \"expected_codes\": \"20\"", "expected_codes")]
    [InlineData("\"type\": \"HTTP\", \"delay\": 5, \"max_retries\": 3, \"timeout\": 10, \"expected_codes\": \"200-\"", "expected_codes")]
    [InlineData("\"type\": \"HTTP\", \"delay\": 5, \"max_retries\": 3, \"timeout\": 10, \"http_version\": 2.0", "http_version")]
    [InlineData("\"type\": \"HTTP\", \"delay\": 5, \"max_retries\": 3, \"timeout\": 10, \"domain_name\": \"-bad-\", \"http_version\": 1.1", "domain_name")]
    [InlineData("\"type\": \"HTTP\", \"delay\": 5, \"max_retries\": 3, \"timeout\": 10, \"domain_name\": \"example.com\"",
        "Validation failure: 'http_version' must be specified when 'domain_name' is provided.")]
    [InlineData("\"type\": \"HTTP\", \"delay\": 5, \"max_retries\": 3, \"timeout\": 10, \"domain_name\": \"example.com\", \"http_version\": 1.0",
        "http_version 1.0 is not a valid option for health monitors HTTP 1.1 domain name health check")]
    [InlineData("\"type\": \"TCP\", \"delay\": 5, \"max_retries\": 3, \"timeout\": 10, \"http_method\": \"GET\"",
        "http_method is not a valid option for health monitors of type TCP")]
    [InlineData("\"type\": \"PING\", \"delay\": 5, \"max_retries\": 3, \"timeout\": 10, \"url_path\": \"/\"",
        "url_path is not a valid option for health monitors of type PING")]
    [InlineData("\"type\": \"TLS-HELLO\", \"delay\": 5, \"max_retries\": 3, \"timeout\": 10, \"expected_codes\": \"200\"",
        "expected_codes is not a valid option for health monitors of type TLS-HELLO")]
    [InlineData("\"type\": \"UDP-CONNECT\", \"delay\": 5, \"max_retries\": 3, \"timeout\": 10",
        "Validation failure: The UDP-CONNECT type is only supported for pools of type UDP/SCTP.")]
    [InlineData("\"type\": \"TCP\", \"delay\": 5, \"max_retries\": 3, \"timeout\": 10, \"bogus\": 1", "bogus")]
    public async Task Create_WithBadField_Returns400NamingIt(string fields, string expected)
    {
        var s = await SetupAsync();
        var response = await Client.ApiPostAsync(Path, "{\"healthmonitor\": {\"pool_id\": \"" + s.PoolId + "\", " + fields + "}}");
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Contains(expected, response.Fault, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("UDP", "HTTPS", 5, "Validation failure: The associated pool protocol is UDP, so only a UDP-CONNECT/SCTP/TCP/HTTP health monitor is supported.")]
    [InlineData("SCTP", "PING", 5, "Validation failure: The associated pool protocol is SCTP, so only a UDP-CONNECT/SCTP/TCP/HTTP health monitor is supported.")]
    [InlineData("UDP", "UDP-CONNECT", 1, "Validation failure: The request delay value 1 should be larger than 3 for UDP-CONNECT health monitor type.")]
    public async Task Create_OnUdpPool_ChecksTypeAndDelay(string poolProtocol, string type, int delay, string expected)
    {
        var s = await SetupAsync(poolProtocol);
        var response = await Client.ApiPostAsync(Path,
            "{\"healthmonitor\": {\"pool_id\": \"" + s.PoolId + "\", \"type\": \"" + type + "\", \"delay\": " + delay + ", \"timeout\": 1, \"max_retries\": 2}}");
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(expected, response.Fault);

        var ok = await CreateAsync(s, "\"type\": \"UDP-CONNECT\", \"delay\": 3, \"timeout\": 1, \"max_retries\": 2");
        Assert.Null(ok["url_path"]);
    }

    [Fact]
    public async Task Create_UnknownPool_Returns404()
    {
        var id = Guid.NewGuid().ToString();
        var response = await Client.ApiPostAsync(Path, "{\"healthmonitor\": {\"pool_id\": \"" + id + "\", \"type\": \"TCP\", \"delay\": 5, \"timeout\": 1, \"max_retries\": 2}}");
        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal($"Pool {id} not found.", response.Fault);
    }

    [Fact]
    public async Task Create_SecondOnPool_Returns409()
    {
        var s = await SetupAsync();
        await CreateAsync(s, "\"type\": \"TCP\", \"delay\": 5, \"timeout\": 3, \"max_retries\": 2");
        var response = await Client.ApiPostAsync(Path, "{\"healthmonitor\": {\"pool_id\": \"" + s.PoolId + "\", \"type\": \"PING\", \"delay\": 5, \"timeout\": 3, \"max_retries\": 2}}");
        Assert.Equal(HttpStatusCode.Conflict, response.Status);
        Assert.Equal("This pool already has a health monitor", response.Fault);
    }

    [Fact]
    public async Task Create_WhenPoolNotActive_Returns409()
    {
        var s = await SetupAsync();
        await fixture.SetPoolStatusAsync(s.PoolId, "ERROR");
        var response = await Client.ApiPostAsync(Path, "{\"healthmonitor\": {\"pool_id\": \"" + s.PoolId + "\", \"type\": \"TCP\", \"delay\": 5, \"timeout\": 3, \"max_retries\": 2}}");
        Assert.Equal(HttpStatusCode.Conflict, response.Status);
        Assert.Equal($"Pool {s.PoolId} is immutable and cannot be updated.", response.Fault);
        var lb = await fixture.WithDbAsync(db => db.LoadBalancers.FirstAsync(l => l.Id == s.LoadBalancerId, TestContext.Current.CancellationToken));
        Assert.Equal("ACTIVE", lb.ProvisioningStatus);
    }

    [Fact]
    public async Task Create_OverQuota_Returns403()
    {
        var s = await SetupAsync();
        await fixture.QuotaAsync(s.Project, q => q.HealthMonitor = 0);
        var response = await Client.ApiPostAsync(Path, "{\"healthmonitor\": {\"pool_id\": \"" + s.PoolId + "\", \"type\": \"TCP\", \"delay\": 5, \"timeout\": 3, \"max_retries\": 2}}");
        Assert.Equal(HttpStatusCode.Forbidden, response.Status);
        Assert.Equal("Quota has been met for resources: Health Monitor", response.Fault);
    }

    [Fact]
    public async Task Update_ChangesValues_NullsResetDefaults_ThenActive()
    {
        var s = await SetupAsync();
        var hm = await CreateAsync(s, "\"type\": \"HTTP\", \"delay\": 5, \"timeout\": 3, \"max_retries\": 2, \"max_retries_down\": 5, \"http_method\": \"HEAD\", \"url_path\": \"/x\", \"expected_codes\": \"201\"");
        var path = $"{Path}/{Str(hm, "id")}";

        var response = await Client.ApiPutAsync(path,
            """{"healthmonitor": {"delay": 9, "name": "renamed", "max_retries_down": null, "http_method": null, "url_path": null, "expected_codes": null, "tags": ["t"]}}""");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        var updated = response.Json["healthmonitor"]!;
        Assert.Equal("PENDING_UPDATE", Str(updated, "provisioning_status"));
        Assert.Equal(9, updated["delay"]!.GetValue<int>());
        Assert.Equal("renamed", Str(updated, "name"));
        Assert.Equal(3, updated["max_retries_down"]!.GetValue<int>());
        Assert.Equal("GET", Str(updated, "http_method"));
        Assert.Equal("/", Str(updated, "url_path"));
        Assert.Equal("200", Str(updated, "expected_codes"));

        var done = await Client.WaitForStableAsync(path, "healthmonitor");
        Assert.Equal("ACTIVE", Str(done, "provisioning_status"));
        Assert.Equal(9, done["delay"]!.GetValue<int>());
        await Client.WaitForLoadBalancerAsync(s.LoadBalancerId);
    }

    [Theory]
    [InlineData("""{"healthmonitor": {"delay": null}}""", "None is not a valid option for delay")]
    [InlineData("""{"healthmonitor": {"timeout": null}}""", "None is not a valid option for timeout")]
    [InlineData("""{"healthmonitor": {"max_retries": null}}""", "None is not a valid option for max_retries")]
    [InlineData("""{"healthmonitor": {"url_path": "/"}}""", "url_path is not a valid option for health monitors of type TCP")]
    [InlineData("""{"healthmonitor": {"type": "HTTP"}}""", "type")]
    [InlineData("""{"healthmonitor": {"pool_id": "8a2b7c1e-4d3f-4a5b-9c6d-7e8f9a0b1c2d"}}""", "pool_id")]
    [InlineData("""{"healthmonitor": {"domain_name": "example.com"}}""", "Validation failure: 'http_version' must be specified when 'domain_name' is provided.")]
    public async Task Update_WithBadField_Returns400(string body, string expected)
    {
        var s = await SetupAsync();
        var hm = await CreateAsync(s, "\"type\": \"TCP\", \"delay\": 5, \"timeout\": 3, \"max_retries\": 2");
        var response = await Client.ApiPutAsync($"{Path}/{Str(hm, "id")}", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Contains(expected, response.Fault, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_RemovesMonitor_AndMembersHaveNoMonitor()
    {
        var s = await SetupAsync();
        var hm = await CreateAsync(s, "\"type\": \"TCP\", \"delay\": 5, \"timeout\": 3, \"max_retries\": 2");
        var member = await Client.ApiPostAsync($"/v2/lbaas/pools/{s.PoolId}/members", """{"member": {"address": "192.0.2.10", "protocol_port": 80}}""");
        Assert.Equal("OFFLINE", Str(member.Json["member"]!, "operating_status"));
        await Client.WaitForLoadBalancerAsync(s.LoadBalancerId);

        var response = await Client.ApiDeleteAsync($"{Path}/{Str(hm, "id")}");
        Assert.Equal(HttpStatusCode.NoContent, response.Status);
        await Client.WaitForLoadBalancerAsync(s.LoadBalancerId);
        var gone = await Client.ApiGetAsync($"{Path}/{Str(hm, "id")}");
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
        Assert.Equal($"Health Monitor {Str(hm, "id")} not found.", gone.Fault);
        var after = await Client.ApiGetAsync($"/v2/lbaas/pools/{s.PoolId}/members/{Str(member.Json["member"]!, "id")}");
        Assert.Equal("NO_MONITOR", Str(after.Json["member"]!, "operating_status"));
    }

    [Fact]
    public async Task List_FiltersSortsAndSelectsFields()
    {
        var s1 = await SetupAsync();
        var s2 = await SetupAsync();
        var a = await CreateAsync(s1, "\"name\": \"hm-a\", \"type\": \"TCP\", \"delay\": 5, \"timeout\": 3, \"max_retries\": 2, \"tags\": [\"x\"]");
        var b = await CreateAsync(s2, "\"name\": \"hm-b\", \"type\": \"HTTP\", \"delay\": 7, \"timeout\": 3, \"max_retries\": 2");

        var byPool = await Client.ApiGetAsync($"{Path}?pool_id={s1.PoolId}");
        Assert.Equal([Str(a, "id")], byPool.Json["healthmonitors"]!.AsArray().Select(h => Str(h!, "id")).ToArray());

        var byProject = await Client.ApiGetAsync($"{Path}?project_id={s2.Project}&type=HTTP&fields=id&fields=delay");
        var only = byProject.Json["healthmonitors"]!.AsArray().Single()!.AsObject();
        Assert.Equal(["id", "delay"], only.Select(p => p.Key).ToArray());
        Assert.Equal(Str(b, "id"), Str(only, "id"));

        var tagged = await Client.ApiGetAsync($"{Path}?tags=x&project_id={s1.Project}");
        Assert.Single(tagged.Json["healthmonitors"]!.AsArray());
        Assert.Equal("[]", tagged.Json["healthmonitors_links"]!.ToJsonString());

        var sorted = await Client.ApiGetAsync($"{Path}?sort=delay:desc&name=hm-a");
        Assert.Equal(HttpStatusCode.OK, sorted.Status);
        var badSort = await Client.ApiGetAsync($"{Path}?sort=nope");
        Assert.Equal(HttpStatusCode.BadRequest, badSort.Status);
    }
}

public sealed class HealthMonitorSqliteTests(SqliteFixture fixture) : HealthMonitorTests(fixture), IClassFixture<SqliteFixture>;

public sealed class HealthMonitorPostgresTests(PostgresFixture fixture) : HealthMonitorTests(fixture), IClassFixture<PostgresFixture>;

/// <summary>A deployment with <c>[api_settings] allow_ping_health_monitors = false</c>.</summary>
public sealed class PingDisabledFixture : OctaviaFixture
{
    protected override bool UsePostgres => false;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["api_settings:allow_ping_health_monitors"] = "false",
    };
}

public sealed class HealthMonitorPingDisabledTests(PingDisabledFixture fixture) : IClassFixture<PingDisabledFixture>
{
    [Fact]
    public async Task Create_Ping_Returns400()
    {
        var lb = await fixture.Client.CreateLoadBalancerAsync("noping");
        var pool = await fixture.PoolAsync(lb);
        var response = await fixture.Client.ApiPostAsync("/v2/lbaas/healthmonitors",
            "{\"healthmonitor\": {\"pool_id\": \"" + pool + "\", \"type\": \"PING\", \"delay\": 5, \"timeout\": 3, \"max_retries\": 2}}");
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("The selected type is not allowed in this deployment: PING", response.Fault);
        Assert.Equal(0, await fixture.WithDbAsync(db => db.Set<HealthMonitor>().CountAsync(TestContext.Current.CancellationToken)));
    }
}
