using System.Net;
using System.Text.Json.Nodes;
using Octavia.Api.Tests.Infrastructure;

namespace Octavia.Api.Tests.Keystone;

/// <summary>
/// Two members of different projects never see or change each other's objects, through any endpoint: lists and
/// their filters, <c>fields</c>, status, stats, updates, children and cascade delete; and each project's quota is its own.
/// </summary>
[Collection(KeystoneCollection.Name)]
public sealed class TenantIsolationTests(KeystoneFixture fixture)
{
    [Fact]
    public async Task Members_OfTwoProjects_NeverSeeOrChangeEachOthersObjects()
    {
        await using var octavia = await fixture.StartOctaviaAsync();
        using var a = octavia.ClientWith(await RbacTokens.GetAsync(fixture, KeystoneFixture.ProjectA, "member"));
        using var b = octavia.ClientWith(await RbacTokens.GetAsync(fixture, KeystoneFixture.ProjectB, "member"));
        var projectB = fixture.ProjectId(KeystoneFixture.ProjectB);
        var lbA = await a.CreateLoadBalancerAsync("lb-of-a");
        var listenerA = await a.CreateListenerAsync(lbA);
        var lbB = await b.CreateLoadBalancerAsync("lb-of-b");
        var listenerB = await b.CreateListenerAsync(lbB);
        var poolB = await b.CreatePoolAsync(lbB, listenerB);
        var memberB = await b.CreateChildAsync($"/v2/lbaas/pools/{poolB}/members", "member",
            """{"member": {"address": "192.0.2.10", "protocol_port": 80}}""", lbB);

        foreach (var (path, key, mine) in new[] { ("loadbalancers", "loadbalancers", lbA), ("listeners", "listeners", listenerA) })
        {
            Assert.Equal([mine], Ids(await a.ApiGetAsync($"/v2/lbaas/{path}"), key));
            Assert.Equal([mine], Ids(await a.ApiGetAsync($"/v2/lbaas/{path}?fields=id&fields=project_id"), key));
            Assert.Empty(Ids(await a.ApiGetAsync($"/v2/lbaas/{path}?name=lb-of-b&tenant_id={projectB}"), key));
            Assert.Equal(HttpStatusCode.Forbidden, (await a.ApiGetAsync($"/v2/lbaas/{path}?project_id={projectB}")).Status);
        }

        Assert.Empty(Ids(await a.ApiGetAsync("/v2/lbaas/pools"), "pools"));
        foreach (var path in new[]
        {
            $"/v2/lbaas/loadbalancers/{lbB}", $"/v2/lbaas/loadbalancers/{lbB}?fields=name", $"/v2/lbaas/loadbalancers/{lbB}/status",
            $"/v2/lbaas/loadbalancers/{lbB}/stats", $"/v2/lbaas/listeners/{listenerB}/stats", $"/v2/lbaas/pools/{poolB}/members",
            $"/v2/lbaas/pools/{poolB}/members/{memberB}",
            $"/v2/lbaas/quotas/{projectB}",
        })
        {
            var refused = await a.ApiGetAsync(path);
            Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
            Assert.Equal("application/json", refused.Message.Content.Headers.ContentType?.MediaType);
            Assert.Equal("Policy does not allow this request to be performed.", refused.Fault);
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await a.ApiPutAsync($"/v2/lbaas/loadbalancers/{lbB}", """{"loadbalancer": {"name": "taken"}}""")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await a.ApiPostAsync("/v2/lbaas/pools",
            $$$"""{"pool": {"listener_id": "{{{listenerB}}}", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN"}}""")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await a.ApiDeleteAsync($"/v2/lbaas/loadbalancers/{lbB}?cascade=true")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await a.ApiDeleteAsync($"/v2/lbaas/pools/{poolB}")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await a.ApiDeleteAsync($"/v2/lbaas/pools/{poolB}/members/{memberB}")).Status);

        // As upstream: the child is looked up before the policy, so an id missing under B's pool is 404 to A as to anyone.
        const string missing = "3c1b2a70-0000-4000-8000-00000000c41d";
        var notFound = await a.ApiGetAsync($"/v2/lbaas/pools/{poolB}/members/{missing}");
        Assert.Equal(HttpStatusCode.NotFound, notFound.Status);
        Assert.Equal($"Member {missing} not found.", notFound.Fault);
        Assert.Equal(HttpStatusCode.NotFound, (await a.ApiDeleteAsync($"/v2/lbaas/pools/{poolB}/members/{missing}")).Status);

        // Nothing of B's moved: same name, ACTIVE, the same children.
        var lb = (await b.ApiGetAsync($"/v2/lbaas/loadbalancers/{lbB}")).Json["loadbalancer"]!;
        Assert.Equal("lb-of-b", lb["name"]!.GetValue<string>());
        Assert.Equal("ACTIVE", lb["provisioning_status"]!.GetValue<string>());
        Assert.Equal([poolB], Ids(await b.ApiGetAsync("/v2/lbaas/pools"), "pools"));

        // Each may still delete its own, cascade included.
        Assert.Equal(HttpStatusCode.NoContent, (await b.ApiDeleteAsync($"/v2/lbaas/loadbalancers/{lbB}?cascade=true")).Status);
    }

    [Fact]
    public async Task Quota_IsCountedForTheTokensProject()
    {
        await using var octavia = await fixture.StartOctaviaAsync();
        using var admin = octavia.ClientWith(await RbacTokens.GetAsync(fixture, KeystoneFixture.ProjectA, "admin"));
        using var a = octavia.ClientWith(await RbacTokens.GetAsync(fixture, KeystoneFixture.ProjectA, "member"));
        using var b = octavia.ClientWith(await RbacTokens.GetAsync(fixture, KeystoneFixture.ProjectB, "member"));
        var projectA = fixture.ProjectId(KeystoneFixture.ProjectA);
        Assert.Equal(HttpStatusCode.Accepted, (await admin.ApiPutAsync($"/v2/lbaas/quotas/{projectA}", """{"quota": {"load_balancer": 1}}""")).Status);
        await a.CreateLoadBalancerAsync("first");

        var refused = await a.ApiPostAsync("/v2/lbaas/loadbalancers", """{"loadbalancer": {"vip_subnet_id": "8a2b7c1e-4d3f-4a5b-9c6d-7e8f9a0b1c2d"}}""");
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Equal("Quota has been met for resources: Load Balancer", refused.Fault);
        await b.CreateLoadBalancerAsync("unaffected");

        // A member may read its own quota but not change it.
        Assert.Equal(HttpStatusCode.OK, (await a.ApiGetAsync($"/v2/lbaas/quotas/{projectA}")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await a.ApiPutAsync($"/v2/lbaas/quotas/{projectA}", """{"quota": {"load_balancer": 5}}""")).Status);
    }

    private static List<string> Ids(ApiResponse response, string key)
    {
        Assert.Equal(HttpStatusCode.OK, response.Status);
        return response.Json[key]!.AsArray().Select(x => x!["id"]!.GetValue<string>()).ToList();
    }
}
