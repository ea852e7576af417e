using System.Net;
using Octavia.Api.Tests.Infrastructure;

namespace Octavia.Api.Tests.Resources;

/// <summary>The single-call create (reference/api.md §6.3), on each database.</summary>
public abstract class LoadBalancerGraphTests(OctaviaFixture fixture)
{
    private HttpClient Client => fixture.Client;

    private const string Graph = """
        {"loadbalancer": {"name": "graph", "vip_subnet_id": "8a2b7c1e-4d3f-4a5b-9c6d-7e8f9a0b1c2d",
          "listeners": [{"name": "l1", "protocol": "HTTP", "protocol_port": 80, "default_pool": {"name": "p1"},
                         "l7policies": [{"action": "REDIRECT_TO_POOL", "redirect_pool": {"name": "p2", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN"},
                                         "rules": [{"type": "PATH", "compare_type": "STARTS_WITH", "value": "/api"}]}]},
                        {"name": "l2", "protocol": "TCP", "protocol_port": 81}],
          "pools": [{"name": "p1", "protocol": "HTTP", "lb_algorithm": "LEAST_CONNECTIONS",
                     "healthmonitor": {"type": "HTTP", "delay": 5, "timeout": 3, "max_retries": 2},
                     "members": [{"address": "192.0.2.10", "protocol_port": 80}, {"address": "192.0.2.11", "protocol_port": 80, "weight": 5}]}]}}
        """;

    [Fact]
    public async Task Create_FullGraph_Returns201WithFullObjects_ThenEverythingActive()
    {
        var response = await Client.ApiPostAsync("/v2/lbaas/loadbalancers", Graph);
        Assert.True(response.Status == HttpStatusCode.Created, response.Raw);
        var lb = response.Json["loadbalancer"]!;
        Assert.Equal(["listeners", "pools", "id"], lb.AsObject().Select(p => p.Key).Take(3).ToArray());
        var listeners = lb["listeners"]!.AsArray();
        Assert.Equal(2, listeners.Count);
        Assert.Equal("l1", listeners[0]!["name"]!.GetValue<string>());
        var pools = lb["pools"]!.AsArray();
        Assert.Equal(["p1", "p2"], pools.Select(p => p!["name"]!.GetValue<string>()).ToArray());
        Assert.Equal(2, pools[0]!["members"]!.AsArray().Count);
        Assert.Equal("HTTP", pools[0]!["healthmonitor"]!["type"]!.GetValue<string>());
        Assert.Equal(pools[0]!["id"]!.GetValue<string>(), listeners[0]!["default_pool_id"]!.GetValue<string>());
        var policy = listeners[0]!["l7policies"]![0]!;
        Assert.Equal(pools[1]!["id"]!.GetValue<string>(), policy["redirect_pool_id"]!.GetValue<string>());
        Assert.Equal(1, policy["position"]!.GetValue<int>());

        var id = lb["id"]!.GetValue<string>();
        await Client.WaitForLoadBalancerAsync(id);
        var status = (await Client.ApiGetAsync($"/v2/lbaas/loadbalancers/{id}/status")).Json["statuses"]!["loadbalancer"]!;
        var l1 = status["listeners"]!.AsArray().Single(l => l!["name"]!.GetValue<string>() == "l1")!;
        Assert.Equal("ACTIVE", l1["provisioning_status"]!.GetValue<string>());
        Assert.Equal(2, l1["pools"]!.AsArray().Count);
        var p1 = l1["pools"]![0]!;
        Assert.Equal("ONLINE", p1["health_monitor"]!["operating_status"]!.GetValue<string>());
        Assert.All(p1["members"]!.AsArray(), m =>
        {
            Assert.Equal("ACTIVE", m!["provisioning_status"]!.GetValue<string>());
            Assert.Equal("OFFLINE", m["operating_status"]!.GetValue<string>());
        });
        var shownPolicy = await Client.ApiGetAsync($"/v2/lbaas/l7policies/{policy["id"]!.GetValue<string>()}");
        Assert.Equal("ONLINE", shownPolicy.Json["l7policy"]!["operating_status"]!.GetValue<string>());
        var rules = await Client.ApiGetAsync($"/v2/lbaas/l7policies/{policy["id"]!.GetValue<string>()}/rules");
        Assert.Equal("ACTIVE", rules.Json["rules"]![0]!["provisioning_status"]!.GetValue<string>());

        var deleted = await Client.ApiDeleteAsync($"/v2/lbaas/loadbalancers/{id}?cascade=true");
        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        var gone = await Client.WaitForStableAsync($"/v2/lbaas/loadbalancers/{id}", "loadbalancer");
        Assert.NotNull(gone["faultstring"]);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.ApiGetAsync($"/v2/lbaas/pools/{pools[0]!["id"]!.GetValue<string>()}")).Status);
    }

    [Theory]
    [InlineData("""[{"name": "l1", "protocol": "HTTP", "protocol_port": 80, "default_pool": {"name": "missing"}}]""", "[]", "missing")]
    [InlineData("[]", """[{"protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN"}]""", "name")]
    [InlineData("[]", """[{"name": "a", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN"}, {"name": "a", "protocol": "TCP", "lb_algorithm": "ROUND_ROBIN"}]""", "Duplicate")]
    [InlineData("""[{"name": "l1", "protocol": "UDP", "protocol_port": 80, "default_pool": {"name": "h"}}]""", """[{"name": "h", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN"}]""", "protocol")]
    [InlineData("""[{"name": "l1", "protocol": "HTTP", "protocol_port": 80}, {"name": "l2", "protocol": "TCP", "protocol_port": 80}]""", "[]", "protocol_port 80")]
    [InlineData("[]", """[{"name": "m", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "members": [{"address": "192.0.2.10"}]}]""", "protocol_port")]
    [InlineData("[]", """[{"name": "m", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "healthmonitor": {"type": "HTTP", "delay": 5}}]""", "timeout")]
    [InlineData("""[{"name": "l1", "protocol": "HTTP", "protocol_port": 80, "bogus": 1}]""", "[]", "bogus")]
    public async Task Create_InvalidGraph_Returns4xx_AndStoresNothing(string listeners, string pools, string named)
    {
        var name = "bad-" + Guid.NewGuid().ToString("N")[..8];
        var response = await Client.ApiPostAsync("/v2/lbaas/loadbalancers",
            $$$"""{"loadbalancer": {"name": "{{{name}}}", "vip_subnet_id": "8a2b7c1e-4d3f-4a5b-9c6d-7e8f9a0b1c2d", "listeners": {{{listeners}}}, "pools": {{{pools}}}}}""");
        Assert.True((int)response.Status is 400 or 409, response.Raw);
        Assert.Contains(named, response.Fault, StringComparison.Ordinal);
        var list = await Client.ApiGetAsync($"/v2/lbaas/loadbalancers?name={name}");
        Assert.Empty(list.Json["loadbalancers"]!.AsArray());
    }
}

public sealed class LoadBalancerGraphSqliteTests(SqliteFixture fixture) : LoadBalancerGraphTests(fixture), IClassFixture<SqliteFixture>;

public sealed class LoadBalancerGraphPostgresTests(PostgresFixture fixture) : LoadBalancerGraphTests(fixture), IClassFixture<PostgresFixture>;
