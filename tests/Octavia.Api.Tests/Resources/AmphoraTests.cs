using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Octavia.Api.Tests.Infrastructure;
using Octavia.Core.Model;
using Octavia.Db;

namespace Octavia.Api.Tests.Resources;

/// <summary>Amphorae (reference/api.md §13.6, api-samples.txt [53]); the no-op drivers build one STANDALONE amphora per load balancer.</summary>
public abstract class AmphoraTests(OctaviaFixture fixture)
{
    private HttpClient Client => fixture.Client;

    private static string NewProject() => "amp-" + Guid.NewGuid().ToString("N")[..8];

    private async Task<string> SingleAmphoraAsync(string lbId)
    {
        var list = await Client.ApiGetAsync($"/v2/octavia/amphorae?loadbalancer_id={lbId}");
        return list.Json["amphorae"]!.AsArray().Single()!["id"]!.GetValue<string>();
    }

    private async Task WithDbAsync(Func<OctaviaDbContext, Task> action)
    {
        using var scope = fixture.Services.CreateScope();
        await action(scope.ServiceProvider.GetRequiredService<OctaviaDbContext>());
    }

    [Fact]
    public async Task List_ShowsTheLoadBalancersAmphora_InSampleShape_AndFiltersByProject()
    {
        var project = NewProject();
        var lbId = await Client.CreateLoadBalancerAsync("amps", project: project);
        var list = await Client.ApiGetAsync($"/v2/octavia/amphorae?project_id={project}");
        Assert.Equal(HttpStatusCode.OK, list.Status);
        var amphora = list.Json["amphorae"]!.AsArray().Single()!.AsObject();
        Assert.Equal(
            ["id", "loadbalancer_id", "compute_id", "lb_network_ip", "vrrp_ip", "ha_ip", "vrrp_port_id", "ha_port_id", "cert_expiration",
             "cert_busy", "role", "status", "vrrp_interface", "vrrp_id", "vrrp_priority", "cached_zone", "created_at", "updated_at",
             "image_id", "compute_flavor"],
            amphora.Select(p => p.Key).ToArray());
        Assert.Equal(lbId, amphora["loadbalancer_id"]!.GetValue<string>());
        Assert.Equal("ALLOCATED", amphora["status"]!.GetValue<string>());
        Assert.Equal("STANDALONE", amphora["role"]!.GetValue<string>());
        Assert.False(amphora["cert_busy"]!.GetValue<bool>());
        Assert.Empty(list.Json["amphorae_links"]!.AsArray());

        var byStatus = await Client.ApiGetAsync($"/v2/octavia/amphorae?project_id={project}&status=ERROR");
        Assert.Empty(byStatus.Json["amphorae"]!.AsArray());
        var byRole = await Client.ApiGetAsync($"/v2/octavia/amphorae?loadbalancer_id={lbId}&role=STANDALONE&fields=id&fields=status");
        Assert.Equal(["id", "status"], byRole.Json["amphorae"]!.AsArray().Single()!.AsObject().Select(p => p.Key).ToArray());
        var otherProject = await Client.ApiGetAsync($"/v2/octavia/amphorae?project_id={NewProject()}");
        Assert.Empty(otherProject.Json["amphorae"]!.AsArray());
        var bad = await Client.ApiGetAsync("/v2/octavia/amphorae?bogus=1");
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
    }

    [Fact]
    public async Task List_Paginates()
    {
        var project = NewProject();
        await Client.CreateLoadBalancerAsync("p1", project: project);
        await Client.CreateLoadBalancerAsync("p2", project: project);
        var page1 = await Client.ApiGetAsync($"/v2/octavia/amphorae?project_id={project}&limit=1");
        var first = page1.Json["amphorae"]!.AsArray().Single()!["id"]!.GetValue<string>();
        var next = page1.Json["amphorae_links"]!.AsArray().Single()!["href"]!.GetValue<string>();
        var page2 = await Client.ApiGetAsync(new Uri(next).PathAndQuery + $"&project_id={project}");
        var second = page2.Json["amphorae"]!.AsArray().Single()!["id"]!.GetValue<string>();
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task Get_ReturnsAmphora_AndUnknownIs404()
    {
        var lbId = await Client.CreateLoadBalancerAsync("get");
        var id = await SingleAmphoraAsync(lbId);
        var get = await Client.ApiGetAsync($"/v2/octavia/amphorae/{id}");
        Assert.Equal(id, get.Json["amphora"]!["id"]!.GetValue<string>());
        var fields = await Client.ApiGetAsync($"/v2/octavia/amphorae/{id}?fields=role");
        Assert.Equal(["role"], fields.Json["amphora"]!.AsObject().Select(p => p.Key).ToArray());

        var missing = await Client.ApiGetAsync("/v2/octavia/amphorae/00000000-1111-2222-3333-444444444444");
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal("Amphora 00000000-1111-2222-3333-444444444444 not found.", missing.Fault);
    }

    [Fact]
    public async Task Failover_ReplacesTheAmphora_AndLoadBalancerReturnsToActive()
    {
        var lbId = await Client.CreateLoadBalancerAsync("failover");
        var oldId = await SingleAmphoraAsync(lbId);
        var response = await Client.ApiPutAsync($"/v2/octavia/amphorae/{oldId}/failover", "");
        Assert.Equal(HttpStatusCode.Accepted, response.Status);
        Assert.Equal("", response.Raw);

        var again = await Client.ApiPutAsync($"/v2/octavia/amphorae/{oldId}/failover", "");
        if (again.Status == HttpStatusCode.Conflict)
        {
            Assert.Equal($"Load Balancer {lbId} is immutable and cannot be updated.", again.Fault);
        }

        await Client.WaitForLoadBalancerAsync(lbId);
        var newId = await SingleAmphoraAsync(lbId);
        Assert.NotEqual(oldId, newId);
        var replaced = await Client.ApiGetAsync($"/v2/octavia/amphorae/{newId}");
        Assert.Equal("ALLOCATED", replaced.Json["amphora"]!["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await Client.ApiGetAsync($"/v2/octavia/amphorae/{oldId}")).Status);
    }

    [Fact]
    public async Task Failover_WhenLoadBalancerNotActive_Returns409()
    {
        var lbId = await Client.CreateLoadBalancerAsync("busy");
        var id = await SingleAmphoraAsync(lbId);
        await Client.ApiPutAsync($"/v2/lbaas/loadbalancers/{lbId}", """{"loadbalancer": {"description": "busy"}}""");
        var response = await Client.ApiPutAsync($"/v2/octavia/amphorae/{id}/failover", "");
        if (response.Status != HttpStatusCode.Accepted)
        {
            Assert.Equal(HttpStatusCode.Conflict, response.Status);
            Assert.Equal($"Load Balancer {lbId} is immutable and cannot be updated.", response.Fault);
        }

        await Client.WaitForLoadBalancerAsync(lbId);
        await WithDbAsync(db => db.LoadBalancers.Where(lb => lb.Id == lbId).ExecuteUpdateAsync(s => s.SetProperty(lb => lb.ProvisioningStatus, "ERROR")));
        var error = await Client.ApiPutAsync($"/v2/octavia/amphorae/{await SingleAmphoraAsync(lbId)}/failover", "");
        Assert.Equal(HttpStatusCode.Conflict, error.Status);
        Assert.Equal($"Load Balancer {lbId} is immutable and cannot be updated.", error.Fault);
    }

    [Fact]
    public async Task Config_Returns202_AndLeavesTheAmphoraAllocated()
    {
        var lbId = await Client.CreateLoadBalancerAsync("config");
        var id = await SingleAmphoraAsync(lbId);
        var response = await Client.ApiPutAsync($"/v2/octavia/amphorae/{id}/config", "");
        Assert.Equal(HttpStatusCode.Accepted, response.Status);
        Assert.Equal("ALLOCATED", (await Client.ApiGetAsync($"/v2/octavia/amphorae/{id}")).Json["amphora"]!["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await Client.ApiPutAsync($"/v2/octavia/amphorae/{Guid.NewGuid()}/config", "")).Status);
    }

    [Fact]
    public async Task Delete_OnlyFromError()
    {
        var lbId = await Client.CreateLoadBalancerAsync("delete");
        var id = await SingleAmphoraAsync(lbId);
        var refused = await Client.ApiDeleteAsync($"/v2/octavia/amphorae/{id}");
        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Equal($"amphora {id} is immutable and cannot be updated.", refused.Fault);

        await WithDbAsync(db => db.Amphorae.Where(a => a.Id == id).ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, "ERROR")));
        var accepted = await Client.ApiDeleteAsync($"/v2/octavia/amphorae/{id}");
        Assert.Equal(HttpStatusCode.NoContent, accepted.Status);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await Client.ApiGetAsync($"/v2/octavia/amphorae/{id}")).Status != HttpStatusCode.NotFound && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await Client.ApiGetAsync($"/v2/octavia/amphorae/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.ApiDeleteAsync($"/v2/octavia/amphorae/{id}")).Status);
    }

    [Fact]
    public async Task Stats_ListsOneEntryPerListener_Or404()
    {
        var lbId = await Client.CreateLoadBalancerAsync("stats");
        var id = await SingleAmphoraAsync(lbId);
        var none = await Client.ApiGetAsync($"/v2/octavia/amphorae/{id}/stats");
        Assert.Equal(HttpStatusCode.NotFound, none.Status);
        Assert.Equal($"Amphora stats for {id} not found.", none.Fault);

        var listenerId = Guid.NewGuid().ToString();
        await WithDbAsync(async db =>
        {
            db.ListenerStatistics.Add(new ListenerStatistics
            {
                ListenerId = listenerId,
                AmphoraId = id,
                BytesIn = 10,
                BytesOut = 20,
                ActiveConnections = 1,
                TotalConnections = 5,
                RequestErrors = 2,
            });
            await db.SaveChangesAsync();
        });

        var stats = await Client.ApiGetAsync($"/v2/octavia/amphorae/{id}/stats");
        Assert.Equal(HttpStatusCode.OK, stats.Status);
        var item = stats.Json["amphora_stats"]!.AsArray().Single()!.AsObject();
        Assert.Equal(["active_connections", "bytes_in", "bytes_out", "id", "listener_id", "loadbalancer_id", "request_errors", "total_connections"],
            item.Select(p => p.Key).ToArray());
        Assert.Equal(lbId, item["loadbalancer_id"]!.GetValue<string>());
        Assert.Equal(listenerId, item["listener_id"]!.GetValue<string>());
        Assert.Equal(20, item["bytes_out"]!.GetValue<long>());
    }
}

public sealed class AmphoraSqliteTests(SqliteFixture fixture) : AmphoraTests(fixture), IClassFixture<SqliteFixture>;

public sealed class AmphoraPostgresTests(PostgresFixture fixture) : AmphoraTests(fixture), IClassFixture<PostgresFixture>;
