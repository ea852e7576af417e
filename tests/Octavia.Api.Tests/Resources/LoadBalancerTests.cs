using System.Net;
using Octavia.Api.Tests.Infrastructure;

namespace Octavia.Api.Tests.Resources;

/// <summary>Load balancer CRUD, statuses and 409s (reference/api.md §5, §6), run on each database.</summary>
public abstract class LoadBalancerTests(OctaviaFixture fixture)
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task Create_WithSubnet_ReturnsPendingCreateThenActive()
    {
        var response = await Client.ApiPostAsync("/v2/lbaas/loadbalancers",
            """{"loadbalancer": {"name": "lb1", "vip_subnet_id": "8a2b7c1e-4d3f-4a5b-9c6d-7e8f9a0b1c2d", "project_id": "p1"}}""");

        Assert.Equal(HttpStatusCode.Created, response.Status);
        var lb = response.Json["loadbalancer"]!;
        Assert.Equal("PENDING_CREATE", lb["provisioning_status"]!.GetValue<string>());
        Assert.Equal("OFFLINE", lb["operating_status"]!.GetValue<string>());
        Assert.Equal("p1", lb["tenant_id"]!.GetValue<string>());
        Assert.Equal("", lb["description"]!.GetValue<string>());
        Assert.Equal(
            ["listeners", "pools", "id", "name", "description", "provisioning_status", "operating_status", "admin_state_up", "project_id",
             "created_at", "updated_at", "vip_address", "vip_port_id", "vip_subnet_id", "vip_network_id", "additional_vips", "provider",
             "flavor_id", "vip_qos_policy_id", "tags", "availability_zone", "vip_sg_ids", "vip_vnic_type", "tenant_id"],
            lb.AsObject().Select(p => p.Key).ToArray());

        var id = lb["id"]!.GetValue<string>();
        var done = await Client.WaitForStableAsync($"/v2/lbaas/loadbalancers/{id}", "loadbalancer");
        Assert.Equal("ACTIVE", done["provisioning_status"]!.GetValue<string>());
        Assert.Equal("OFFLINE", done["operating_status"]!.GetValue<string>());
        Assert.NotNull(done["updated_at"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_WithoutVip_Returns400()
    {
        var response = await Client.ApiPostAsync("/v2/lbaas/loadbalancers", """{"loadbalancer": {"name": "novip"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("Validation failure: VIP must contain one of: vip_port_id, vip_network_id, vip_subnet_id.", response.Fault);
        Assert.Equal("application/json", response.Message.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("""{"loadbalancer": {"vip_subnet_id": "8a2b7c1e-4d3f-4a5b-9c6d-7e8f9a0b1c2d", "bogus": 1}}""", "bogus")]
    [InlineData("""{"loadbalancer": {"vip_subnet_id": "not-a-uuid"}}""", "vip_subnet_id")]
    [InlineData("""{"loadbalancer": {"vip_subnet_id": "8a2b7c1e-4d3f-4a5b-9c6d-7e8f9a0b1c2d", "admin_state_up": "maybe"}}""", "admin_state_up")]
    [InlineData("""{"loadbalancer": {"vip_subnet_id": "8a2b7c1e-4d3f-4a5b-9c6d-7e8f9a0b1c2d", "name": 5}}""", "name")]
    [InlineData("""{"loadbalancer": {"vip_subnet_id": "8a2b7c1e-4d3f-4a5b-9c6d-7e8f9a0b1c2d", "provider": "nope"}}""", "nope")]
    [InlineData("""{"loadbalancer": {"vip_subnet_id": "8a2b7c1e-4d3f-4a5b-9c6d-7e8f9a0b1c2d", "vip_address": "300.1.1.1"}}""", "vip_address")]
    public async Task Create_WithBadField_Returns400NamingIt(string body, string named)
    {
        var response = await Client.ApiPostAsync("/v2/lbaas/loadbalancers", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Contains(named, response.Fault, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedJson_Returns400()
    {
        var response = await Client.ApiPostAsync("/v2/lbaas/loadbalancers", """{"loadbalancer": {"name": "x", """);
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("Request is not in valid JSON format", response.Fault);
    }

    [Fact]
    public async Task Update_WhilePending_Returns409()
    {
        var response = await Client.ApiPostAsync("/v2/lbaas/loadbalancers",
            """{"loadbalancer": {"vip_subnet_id": "8a2b7c1e-4d3f-4a5b-9c6d-7e8f9a0b1c2d", "provider": "noop_driver"}}""");
        var id = response.Json["loadbalancer"]!["id"]!.GetValue<string>();
        var update = await Client.ApiPutAsync($"/v2/lbaas/loadbalancers/{id}", """{"loadbalancer": {"name": "renamed"}}""");
        if (update.Status == HttpStatusCode.Conflict)
        {
            Assert.Equal($"Invalid state PENDING_CREATE of loadbalancer resource {id}", update.Fault);
        }

        await Client.WaitForLoadBalancerAsync(id);
    }

    [Fact]
    public async Task Update_Active_Returns200PendingUpdateThenActive()
    {
        var id = await Client.CreateLoadBalancerAsync("upd");
        var response = await Client.ApiPutAsync($"/v2/lbaas/loadbalancers/{id}", """{"loadbalancer": {"description": "updated", "tags": ["x"]}}""");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("PENDING_UPDATE", response.Json["loadbalancer"]!["provisioning_status"]!.GetValue<string>());
        Assert.Equal("updated", response.Json["loadbalancer"]!["description"]!.GetValue<string>());
        var again = await Client.ApiPutAsync($"/v2/lbaas/loadbalancers/{id}", """{"loadbalancer": {"name": "n"}}""");
        Assert.True(again.Status is HttpStatusCode.OK or HttpStatusCode.Conflict);
        await Client.WaitForLoadBalancerAsync(id);
    }

    [Fact]
    public async Task Update_CreateOnlyField_Returns400()
    {
        var id = await Client.CreateLoadBalancerAsync("ro");
        var response = await Client.ApiPutAsync($"/v2/lbaas/loadbalancers/{id}", """{"loadbalancer": {"vip_address": "198.51.100.9"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Contains("vip_address", response.Fault, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_RemovesAfterFlow_AndGetReturns404()
    {
        var id = await Client.CreateLoadBalancerAsync("del");
        var response = await Client.ApiDeleteAsync($"/v2/lbaas/loadbalancers/{id}");
        Assert.Equal(HttpStatusCode.NoContent, response.Status);
        var after = await Client.WaitForStableAsync($"/v2/lbaas/loadbalancers/{id}", "loadbalancer");
        Assert.Equal($"Load Balancer {id} not found.", after["faultstring"]!.GetValue<string>());
    }

    [Fact]
    public async Task Get_Unknown_Returns404()
    {
        var response = await Client.ApiGetAsync("/v2/lbaas/loadbalancers/00000000-1111-2222-3333-444444444444");
        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal("Load Balancer 00000000-1111-2222-3333-444444444444 not found.", response.Fault);
        Assert.True(response.Message.Headers.Contains("x-openstack-request-id"));
    }

    [Fact]
    public async Task List_PaginatesSortsFiltersAndSelectsFields()
    {
        var project = "list-" + Guid.NewGuid().ToString("N")[..8];
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await Client.CreateLoadBalancerAsync($"page{i}", i == 1 ? """, "tags": ["blue", "big"]""" : """, "tags": ["red"]""", project));
        }

        var page1 = await Client.ApiGetAsync($"/v2/lbaas/loadbalancers?project_id={project}&limit=2&sort=name:desc");
        var names = page1.Json["loadbalancers"]!.AsArray().Select(n => n!["name"]!.GetValue<string>()).ToArray();
        Assert.Equal(["page2", "page1"], names);
        var next = page1.Json["loadbalancers_links"]!.AsArray().Single()!;
        Assert.Equal("next", next["rel"]!.GetValue<string>());

        var page2 = await Client.ApiGetAsync(new Uri(next["href"]!.GetValue<string>()).PathAndQuery + $"&project_id={project}");
        Assert.Equal(["page0"], page2.Json["loadbalancers"]!.AsArray().Select(n => n!["name"]!.GetValue<string>()).ToArray());
        Assert.Contains(page2.Json["loadbalancers_links"]!.AsArray(), l => l!["rel"]!.GetValue<string>() == "previous");

        var tagged = await Client.ApiGetAsync($"/v2/lbaas/loadbalancers?project_id={project}&tags=blue,big&fields=id&fields=name");
        var only = tagged.Json["loadbalancers"]!.AsArray().Single()!.AsObject();
        Assert.Equal(["id", "name"], only.Select(p => p.Key).ToArray());
        Assert.Equal(ids[1], only["id"]!.GetValue<string>());

        var notRed = await Client.ApiGetAsync($"/v2/lbaas/loadbalancers?project_id={project}&not-tags-any=red");
        Assert.Single(notRed.Json["loadbalancers"]!.AsArray());

        var badSort = await Client.ApiGetAsync("/v2/lbaas/loadbalancers?sort=bogus:asc");
        Assert.Equal(HttpStatusCode.BadRequest, badSort.Status);
        var badDir = await Client.ApiGetAsync("/v2/lbaas/loadbalancers?sort=name:sideways");
        Assert.Equal("Supplied sort direction 'sideways' is not valid.", badDir.Fault);
        var badFilter = await Client.ApiGetAsync("/v2/lbaas/loadbalancers?bogus=1");
        Assert.Equal(HttpStatusCode.BadRequest, badFilter.Status);
        var badLimit = await Client.ApiGetAsync("/v2/lbaas/loadbalancers?limit=abc");
        Assert.Equal("Supplied pagination limit 'abc' is not valid.", badLimit.Fault);
    }

    [Fact]
    public async Task VersionDiscovery_MatchesUpstreamShape()
    {
        var root = await Client.ApiGetAsync("/");
        var versions = root.Json["versions"]!.AsArray();
        Assert.Equal("v2.0", versions[0]!["id"]!.GetValue<string>());
        Assert.Single(versions, v => v!["status"]!.GetValue<string>() == "CURRENT");
        Assert.Equal("\"v2\"", (await Client.ApiGetAsync("/v2")).Raw);
        Assert.Equal("\"v2\"", (await Client.ApiGetAsync("/v2.0")).Raw);
        Assert.Equal(HttpStatusCode.OK, (await Client.ApiGetAsync("/healthcheck")).Status);
    }

    [Fact]
    public async Task UnknownPath_Returns404Json()
    {
        var response = await Client.ApiGetAsync("/v2/lbaas/nosuchresource");
        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal("application/json", response.Message.Content.Headers.ContentType?.MediaType);
    }
}

public sealed class LoadBalancerSqliteTests(SqliteFixture fixture) : LoadBalancerTests(fixture), IClassFixture<SqliteFixture>;

public sealed class LoadBalancerPostgresTests(PostgresFixture fixture) : LoadBalancerTests(fixture), IClassFixture<PostgresFixture>;
