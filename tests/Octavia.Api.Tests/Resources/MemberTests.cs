using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Octavia.Api.Tests.Infrastructure;

namespace Octavia.Api.Tests.Resources;

/// <summary>Members and the batch update (reference/api.md §9, §9.1), run on each database.</summary>
public abstract class MemberTests(OctaviaFixture fixture)
{
    private HttpClient Client => fixture.Client;

    private static string NewProject() => "p-" + Guid.NewGuid().ToString("N")[..10];

    private sealed record Setup(string LoadBalancerId, string ListenerId, string PoolId, string Project);

    private async Task<Setup> SetupAsync()
    {
        var project = NewProject();
        var lb = await Client.CreateLoadBalancerAsync("members", project: project);
        var listener = await fixture.ListenerAsync(lb);
        var pool = await fixture.PoolAsync(lb, listenerId: listener);
        return new Setup(lb, listener, pool, project);
    }

    private static string Members(string poolId) => $"/v2/lbaas/pools/{poolId}/members";

    private async Task<JsonNode> CreateAsync(Setup s, string body)
    {
        var response = await Client.ApiPostAsync(Members(s.PoolId), body);
        Assert.True(response.Status == HttpStatusCode.Created, response.Raw);
        await Client.WaitForLoadBalancerAsync(s.LoadBalancerId);
        return response.Json["member"]!;
    }

    private async Task<List<JsonNode>> ListAsync(Setup s, string query = "")
    {
        var response = await Client.ApiGetAsync(Members(s.PoolId) + query);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        return response.Json["members"]!.AsArray().Select(n => n!).ToList();
    }

    private static string Str(JsonNode node, string key) => node[key]!.GetValue<string>();

    [Fact]
    public async Task Create_ReturnsSampleShape_ThenActiveWithoutMonitor()
    {
        var s = await SetupAsync();
        var response = await Client.ApiPostAsync(Members(s.PoolId), """{"member": {"name": "member1", "address": "192.0.2.10", "protocol_port": 80}}""");

        Assert.Equal(HttpStatusCode.Created, response.Status);
        var member = response.Json["member"]!;
        Assert.Equal(
            ["id", "name", "operating_status", "provisioning_status", "admin_state_up", "address", "protocol_port", "weight", "backup",
             "subnet_id", "project_id", "created_at", "updated_at", "monitor_address", "monitor_port", "tags", "vnic_type", "tenant_id"],
            member.AsObject().Select(p => p.Key).ToArray());
        Assert.Equal("PENDING_CREATE", Str(member, "provisioning_status"));
        Assert.Equal("NO_MONITOR", Str(member, "operating_status"));
        Assert.Equal(s.Project, Str(member, "project_id"));
        Assert.Equal(s.Project, Str(member, "tenant_id"));
        Assert.Equal(1, member["weight"]!.GetValue<int>());
        Assert.False(member["backup"]!.GetValue<bool>());
        Assert.Equal("normal", Str(member, "vnic_type"));
        Assert.Null(member["updated_at"]);

        var id = Str(member, "id");
        var done = await Client.WaitForStableAsync($"{Members(s.PoolId)}/{id}", "member");
        Assert.Equal("ACTIVE", Str(done, "provisioning_status"));
        Assert.Equal("NO_MONITOR", Str(done, "operating_status"));
        await Client.WaitForLoadBalancerAsync(s.LoadBalancerId);
        var pool = await fixture.WithDbAsync(db => db.Pools.FirstAsync(p => p.Id == s.PoolId, TestContext.Current.CancellationToken));
        Assert.Equal("ACTIVE", pool.ProvisioningStatus);
        var listener = await fixture.WithDbAsync(db => db.Listeners.FirstAsync(l => l.Id == s.ListenerId, TestContext.Current.CancellationToken));
        Assert.Equal("ACTIVE", listener.ProvisioningStatus);
    }

    [Fact]
    public async Task Create_OnPoolWithMonitor_IsOffline()
    {
        var s = await SetupAsync();
        await fixture.HealthMonitorAsync(s.PoolId);
        var member = await CreateAsync(s, """{"member": {"address": "192.0.2.10", "protocol_port": 80, "project_id": "ignored"}}""");
        Assert.Equal("OFFLINE", Str(member, "operating_status"));
        Assert.Equal(s.Project, Str(member, "project_id"));
        var done = await Client.WaitForStableAsync($"{Members(s.PoolId)}/{Str(member, "id")}", "member");
        Assert.Equal("OFFLINE", Str(done, "operating_status"));
    }

    [Fact]
    public async Task Get_ThroughAnotherPool_Returns404()
    {
        var s = await SetupAsync();
        var other = await fixture.PoolAsync(s.LoadBalancerId);
        var member = await CreateAsync(s, """{"member": {"address": "192.0.2.10", "protocol_port": 80}}""");
        var id = Str(member, "id");

        var response = await Client.ApiGetAsync($"{Members(other)}/{id}");
        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal($"Member {id} not found.", response.Fault);

        var fields = await Client.ApiGetAsync($"{Members(s.PoolId)}/{id}?fields=id&fields=address");
        Assert.Equal(["id", "address"], fields.Json["member"]!.AsObject().Select(p => p.Key).ToArray());
    }

    [Fact]
    public async Task UnknownPool_Returns404()
    {
        var response = await Client.ApiGetAsync("/v2/lbaas/pools/not-a-uuid/members");
        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal("Pool not-a-uuid not found.", response.Fault);
    }

    [Fact]
    public async Task Update_WritesValuesAndNullDefaults_ThenActive()
    {
        var s = await SetupAsync();
        var member = await CreateAsync(s, """{"member": {"address": "192.0.2.10", "protocol_port": 80, "weight": 7, "backup": true}}""");
        var path = $"{Members(s.PoolId)}/{Str(member, "id")}";

        var response = await Client.ApiPutAsync(path,
            """{"member": {"name": "renamed", "weight": null, "backup": null, "monitor_address": "192.0.2.99", "monitor_port": 8080, "tags": ["a"]}}""");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        var updated = response.Json["member"]!;
        Assert.Equal("PENDING_UPDATE", Str(updated, "provisioning_status"));
        Assert.Equal("renamed", Str(updated, "name"));
        Assert.Equal(1, updated["weight"]!.GetValue<int>());
        Assert.False(updated["backup"]!.GetValue<bool>());
        Assert.Equal("192.0.2.99", Str(updated, "monitor_address"));
        Assert.Equal(8080, updated["monitor_port"]!.GetValue<int>());

        var done = await Client.WaitForStableAsync(path, "member");
        Assert.Equal("ACTIVE", Str(done, "provisioning_status"));
        Assert.Equal("renamed", Str(done, "name"));
        await Client.WaitForLoadBalancerAsync(s.LoadBalancerId);

        var readOnly = await Client.ApiPutAsync(path, """{"member": {"address": "192.0.2.11"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, readOnly.Status);
        Assert.Contains("address", readOnly.Fault, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_RemovesMemberAfterFlow()
    {
        var s = await SetupAsync();
        var member = await CreateAsync(s, """{"member": {"address": "192.0.2.10", "protocol_port": 80}}""");
        var path = $"{Members(s.PoolId)}/{Str(member, "id")}";

        var response = await Client.ApiDeleteAsync(path);
        Assert.Equal(HttpStatusCode.NoContent, response.Status);
        await Client.WaitForLoadBalancerAsync(s.LoadBalancerId);
        var after = await Client.ApiGetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, after.Status);
    }

    [Theory]
    [InlineData("""{"member": {"protocol_port": 80}}""", "address")]
    [InlineData("""{"member": {"address": "192.0.2.300", "protocol_port": 80}}""", "address")]
    [InlineData("""{"member": {"address": "192.0.2.10"}}""", "protocol_port")]
    [InlineData("""{"member": {"address": "192.0.2.10", "protocol_port": 0}}""", "protocol_port")]
    [InlineData("""{"member": {"address": "192.0.2.10", "protocol_port": 65536}}""", "protocol_port")]
    [InlineData("""{"member": {"address": "192.0.2.10", "protocol_port": 80, "weight": 257}}""", "weight")]
    [InlineData("""{"member": {"address": "192.0.2.10", "protocol_port": 80, "weight": -1}}""", "weight")]
    [InlineData("""{"member": {"address": "192.0.2.10", "protocol_port": 80, "backup": "maybe"}}""", "backup")]
    [InlineData("""{"member": {"address": "192.0.2.10", "protocol_port": 80, "monitor_port": 70000}}""", "monitor_port")]
    [InlineData("""{"member": {"address": "192.0.2.10", "protocol_port": 80, "monitor_address": "nope"}}""", "monitor_address")]
    [InlineData("""{"member": {"address": "192.0.2.10", "protocol_port": 80, "subnet_id": "not-a-uuid"}}""", "subnet_id")]
    [InlineData("""{"member": {"address": "192.0.2.10", "protocol_port": 80, "vnic_type": "direct"}}""", "vnic_type")]
    [InlineData("""{"member": {"address": "192.0.2.10", "protocol_port": 80, "name": 5}}""", "name")]
    [InlineData("""{"member": {"address": "169.254.169.254", "protocol_port": 80}}""", "169.254.169.254 is not a valid option for member address")]
    public async Task Create_WithBadField_Returns400NamingIt(string body, string named)
    {
        var s = await SetupAsync();
        var response = await Client.ApiPostAsync(Members(s.PoolId), body);
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Contains(named, response.Fault, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_RequestSriovWithoutFlavor_Returns400()
    {
        var s = await SetupAsync();
        var response = await Client.ApiPostAsync(Members(s.PoolId), """{"member": {"address": "192.0.2.10", "protocol_port": 80, "request_sriov": true}}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("The load balancer flavor does not allow SR-IOV member ports.", response.Fault);

        var plain = await CreateAsync(s, """{"member": {"address": "192.0.2.10", "protocol_port": 80, "request_sriov": false}}""");
        Assert.Equal("normal", Str(plain, "vnic_type"));
    }

    [Fact]
    public async Task Create_Duplicate_Returns409()
    {
        var s = await SetupAsync();
        await CreateAsync(s, """{"member": {"address": "192.0.2.10", "protocol_port": 80}}""");
        var response = await Client.ApiPostAsync(Members(s.PoolId), """{"member": {"address": "192.0.2.10", "protocol_port": 80}}""");
        Assert.Equal(HttpStatusCode.Conflict, response.Status);
        Assert.Equal("Another member on this pool is already using ip 192.0.2.10 on protocol_port 80", response.Fault);

        var otherPort = await Client.ApiPostAsync(Members(s.PoolId), """{"member": {"address": "192.0.2.10", "protocol_port": 81}}""");
        Assert.Equal(HttpStatusCode.Created, otherPort.Status);
        await Client.WaitForLoadBalancerAsync(s.LoadBalancerId);
    }

    [Fact]
    public async Task Mutations_WhenPoolOrLoadBalancerNotActive_Return409()
    {
        var s = await SetupAsync();
        var member = await CreateAsync(s, """{"member": {"address": "192.0.2.10", "protocol_port": 80}}""");
        var path = $"{Members(s.PoolId)}/{Str(member, "id")}";

        await fixture.SetPoolStatusAsync(s.PoolId, "PENDING_UPDATE");
        var create = await Client.ApiPostAsync(Members(s.PoolId), """{"member": {"address": "192.0.2.11", "protocol_port": 80}}""");
        Assert.Equal(HttpStatusCode.Conflict, create.Status);
        Assert.Equal($"Pool {s.PoolId} is immutable and cannot be updated.", create.Fault);
        var delete = await Client.ApiDeleteAsync(path);
        Assert.Equal(HttpStatusCode.Conflict, delete.Status);
        await fixture.SetPoolStatusAsync(s.PoolId, "ACTIVE");

        await fixture.SetLoadBalancerStatusAsync(s.LoadBalancerId, "PENDING_UPDATE");
        var update = await Client.ApiPutAsync(path, """{"member": {"weight": 3}}""");
        Assert.Equal(HttpStatusCode.Conflict, update.Status);
        Assert.Equal($"Load Balancer {s.LoadBalancerId} is immutable and cannot be updated.", update.Fault);
        var batch = await Client.ApiPutAsync(Members(s.PoolId), """{"members": []}""");
        Assert.Equal(HttpStatusCode.Conflict, batch.Status);
        await fixture.SetLoadBalancerStatusAsync(s.LoadBalancerId, "ACTIVE");

        // Nothing was changed by the refused requests.
        var pool = await fixture.WithDbAsync(db => db.Pools.FirstAsync(p => p.Id == s.PoolId, TestContext.Current.CancellationToken));
        Assert.Equal("ACTIVE", pool.ProvisioningStatus);
        Assert.Single(await ListAsync(s));
    }

    [Fact]
    public async Task Create_OverQuota_Returns403()
    {
        var s = await SetupAsync();
        await fixture.QuotaAsync(s.Project, q => q.Member = 1);
        await CreateAsync(s, """{"member": {"address": "192.0.2.10", "protocol_port": 80}}""");
        var response = await Client.ApiPostAsync(Members(s.PoolId), """{"member": {"address": "192.0.2.11", "protocol_port": 80}}""");
        Assert.Equal(HttpStatusCode.Forbidden, response.Status);
        Assert.Equal("Quota has been met for resources: Member", response.Fault);
    }

    [Fact]
    public async Task Batch_CreatesUpdatesAndDeletes()
    {
        var s = await SetupAsync();
        await CreateAsync(s, """{"member": {"name": "keep", "address": "192.0.2.10", "protocol_port": 80, "weight": 9, "tags": ["t"]}}""");
        await CreateAsync(s, """{"member": {"address": "192.0.2.11", "protocol_port": 80}}""");

        var response = await Client.ApiPutAsync(Members(s.PoolId),
            """{"members": [{"address": "192.0.2.10", "protocol_port": 80, "backup": true}, {"name": "new", "address": "192.0.2.12", "protocol_port": 80}]}""");
        Assert.Equal(HttpStatusCode.Accepted, response.Status);
        Assert.Equal("", response.Raw);
        await Client.WaitForLoadBalancerAsync(s.LoadBalancerId);

        var members = (await ListAsync(s)).ToDictionary(m => Str(m, "address"));
        Assert.Equal(["192.0.2.10", "192.0.2.12"], members.Keys.Order().ToArray());
        var kept = members["192.0.2.10"];
        Assert.Equal("keep", Str(kept, "name"));
        Assert.Equal(["t"], kept["tags"]!.AsArray().Select(t => t!.GetValue<string>()).ToArray());
        Assert.Equal(1, kept["weight"]!.GetValue<int>());
        Assert.True(kept["backup"]!.GetValue<bool>());
        Assert.All(members.Values, m => Assert.Equal("ACTIVE", Str(m, "provisioning_status")));
        Assert.Equal("NO_MONITOR", Str(members["192.0.2.12"], "operating_status"));
    }

    [Fact]
    public async Task Batch_AdditiveOnly_KeepsMissingMembers()
    {
        var s = await SetupAsync();
        await CreateAsync(s, """{"member": {"address": "192.0.2.10", "protocol_port": 80}}""");

        var response = await Client.ApiPutAsync(Members(s.PoolId) + "?additive_only=true",
            """{"members": [{"address": "192.0.2.13", "protocol_port": 80}]}""");
        Assert.Equal(HttpStatusCode.Accepted, response.Status);
        await Client.WaitForLoadBalancerAsync(s.LoadBalancerId);
        Assert.Equal(["192.0.2.10", "192.0.2.13"], (await ListAsync(s)).Select(m => Str(m, "address")).Order().ToArray());
    }

    [Fact]
    public async Task Batch_NoChange_Returns202AndLocksNothing()
    {
        var s = await SetupAsync();
        var empty = await Client.ApiPutAsync(Members(s.PoolId), """{"members": []}""");
        Assert.Equal(HttpStatusCode.Accepted, empty.Status);
        var lb = await fixture.WithDbAsync(db => db.LoadBalancers.FirstAsync(l => l.Id == s.LoadBalancerId, TestContext.Current.CancellationToken));
        Assert.Equal("ACTIVE", lb.ProvisioningStatus);

        await CreateAsync(s, """{"member": {"address": "192.0.2.10", "protocol_port": 80}}""");
        var additive = await Client.ApiPutAsync(Members(s.PoolId) + "?additive_only=true", """{"members": []}""");
        Assert.Equal(HttpStatusCode.Accepted, additive.Status);
        lb = await fixture.WithDbAsync(db => db.LoadBalancers.FirstAsync(l => l.Id == s.LoadBalancerId, TestContext.Current.CancellationToken));
        Assert.Equal("ACTIVE", lb.ProvisioningStatus);
        Assert.Single(await ListAsync(s));
    }

    [Fact]
    public async Task Batch_InvalidRequests_AreRefused()
    {
        var s = await SetupAsync();
        await CreateAsync(s, """{"member": {"address": "192.0.2.10", "protocol_port": 80}}""");

        var twice = await Client.ApiPutAsync(Members(s.PoolId),
            """{"members": [{"address": "192.0.2.10", "protocol_port": 80}, {"address": "192.0.2.10", "protocol_port": 80, "weight": 3}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, twice.Status);
        Assert.Equal("Validation failure: Member must be updated only once in the same request.", twice.Fault);

        var badField = await Client.ApiPutAsync(Members(s.PoolId), """{"members": [{"address": "192.0.2.10", "protocol_port": 80, "weight": 300}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, badField.Status);
        Assert.Contains("weight", badField.Fault, StringComparison.Ordinal);

        var reserved = await Client.ApiPutAsync(Members(s.PoolId), """{"members": [{"address": "169.254.169.254", "protocol_port": 80}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, reserved.Status);

        var badAdditive = await Client.ApiPutAsync(Members(s.PoolId) + "?additive_only=maybe", """{"members": []}""");
        Assert.Equal(HttpStatusCode.BadRequest, badAdditive.Status);
        Assert.Contains("additive_only", badAdditive.Fault, StringComparison.Ordinal);

        var noList = await Client.ApiPutAsync(Members(s.PoolId), """{"member": []}""");
        Assert.Equal(HttpStatusCode.BadRequest, noList.Status);

        var lb = await fixture.WithDbAsync(db => db.LoadBalancers.FirstAsync(l => l.Id == s.LoadBalancerId, TestContext.Current.CancellationToken));
        Assert.Equal("ACTIVE", lb.ProvisioningStatus);
    }

    [Fact]
    public async Task Batch_QuotaCountsTheNetIncrease()
    {
        var s = await SetupAsync();
        await CreateAsync(s, """{"member": {"address": "192.0.2.10", "protocol_port": 80}}""");
        await CreateAsync(s, """{"member": {"address": "192.0.2.11", "protocol_port": 80}}""");
        await fixture.QuotaAsync(s.Project, q => q.Member = 2);

        // One out, one in: no increase.
        var swap = await Client.ApiPutAsync(Members(s.PoolId),
            """{"members": [{"address": "192.0.2.10", "protocol_port": 80}, {"address": "192.0.2.12", "protocol_port": 80}]}""");
        Assert.Equal(HttpStatusCode.Accepted, swap.Status);
        await Client.WaitForLoadBalancerAsync(s.LoadBalancerId);

        var grow = await Client.ApiPutAsync(Members(s.PoolId) + "?additive_only=true", """{"members": [{"address": "192.0.2.13", "protocol_port": 80}]}""");
        Assert.Equal(HttpStatusCode.Forbidden, grow.Status);
        Assert.Equal("Quota has been met for resources: Member", grow.Fault);
    }

    [Fact]
    public async Task List_FiltersSortsPagesAndSelectsFields()
    {
        var s = await SetupAsync();
        await CreateAsync(s, """{"member": {"name": "a", "address": "192.0.2.1", "protocol_port": 80, "tags": ["blue"]}}""");
        await CreateAsync(s, """{"member": {"name": "b", "address": "192.0.2.2", "protocol_port": 81, "weight": 5}}""");
        await CreateAsync(s, """{"member": {"name": "c", "address": "192.0.2.3", "protocol_port": 82, "tags": ["blue", "red"]}}""");

        Assert.Equal(["c", "b", "a"], (await ListAsync(s, "?sort=protocol_port:desc")).Select(m => Str(m, "name")).ToArray());
        Assert.Equal(["b"], (await ListAsync(s, "?weight=5")).Select(m => Str(m, "name")).ToArray());
        Assert.Equal(["a"], (await ListAsync(s, "?address=192.0.2.1")).Select(m => Str(m, "name")).ToArray());
        Assert.Equal(["a", "c"], (await ListAsync(s, "?tags=blue&sort=name")).Select(m => Str(m, "name")).ToArray());
        Assert.Equal(["b"], (await ListAsync(s, "?not-tags-any=blue")).Select(m => Str(m, "name")).ToArray());

        var fields = await ListAsync(s, "?fields=id&fields=name&name=a");
        Assert.Equal(["id", "name"], fields.Single().AsObject().Select(p => p.Key).ToArray());

        var page = await Client.ApiGetAsync(Members(s.PoolId) + "?limit=2&sort=name");
        Assert.Equal(2, page.Json["members"]!.AsArray().Count);
        var next = page.Json["members_links"]!.AsArray().Single()!;
        Assert.Equal("next", Str(next, "rel"));
        var page2 = await Client.ApiGetAsync(new Uri(Str(next, "href")).PathAndQuery);
        Assert.Equal(["c"], page2.Json["members"]!.AsArray().Select(m => Str(m!, "name")).ToArray());

        var bad = await Client.ApiGetAsync(Members(s.PoolId) + "?bogus=1");
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
    }
}

public sealed class MemberSqliteTests(SqliteFixture fixture) : MemberTests(fixture), IClassFixture<SqliteFixture>;

public sealed class MemberPostgresTests(PostgresFixture fixture) : MemberTests(fixture), IClassFixture<PostgresFixture>;
