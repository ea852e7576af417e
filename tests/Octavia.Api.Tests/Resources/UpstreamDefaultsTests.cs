using System.Net;
using System.Text.Json.Nodes;
using Octavia.Api.Tests.Infrastructure;

namespace Octavia.Api.Tests.Resources;

/// <summary>The API with no <c>enabled_provider_drivers</c> of its own: upstream's default applies.</summary>
public sealed class UpstreamDefaultsFixture : OctaviaFixture
{
    protected override bool UsePostgres => false;

    protected override string? EnabledProviders => null;
}

/// <summary>Upstream's defaults where the project used to differ (issue 13).</summary>
public sealed class UpstreamDefaultsTests(UpstreamDefaultsFixture fixture) : IClassFixture<UpstreamDefaultsFixture>
{
    [Fact]
    public async Task Providers_ByDefault_AreAmphoraAndOctavia()
    {
        var response = await fixture.Client.ApiGetAsync("/v2/lbaas/providers");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(
            """[{"name":"amphora","description":"The Octavia Amphora driver."},{"name":"octavia","description":"Deprecated alias of the Octavia Amphora driver."}]""",
            response.Json["providers"]!.ToJsonString());

        var noop = await fixture.Client.ApiPostAsync("/v2/lbaas/loadbalancers",
            """{"loadbalancer": {"vip_subnet_id": "8a2b7c1e-4d3f-4a5b-9c6d-7e8f9a0b1c2d", "provider": "noop_driver"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, noop.Status);
        Assert.Equal("Provider 'noop_driver' is not enabled.", noop.Fault);
    }
}

/// <summary>
/// A VIP asked for by network (the local network driver's IPAM): upstream's choice of subnet, and the address
/// kept as the caller wrote it while the port holds it in canonical form. Run on each database.
/// </summary>
public abstract class VipByNetworkTests(NetworkApiFixture fixture)
{
    private HttpClient Network => fixture.NetworkClient;

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private async Task<string> CreateAsync(string collection, string resource, JsonObject value)
    {
        var response = await Network.ApiPostAsync("/v2.0/" + collection, new JsonObject { [resource] = value }.ToJsonString());
        Assert.True(response.Status == HttpStatusCode.Created, $"{response.Status} {response.Raw}");
        return response.Json[resource]!["id"]!.GetValue<string>();
    }

    private Task<string> NetworkAsync() => CreateAsync("networks", "network", new JsonObject { ["name"] = Unique("net") });

    private Task<string> SubnetAsync(string network, string cidr, int version, JsonObject? extra = null)
    {
        var value = new JsonObject { ["network_id"] = network, ["cidr"] = cidr, ["ip_version"] = version, ["name"] = Unique("sub") };
        foreach (var (k, v) in extra ?? [])
        {
            value[k] = v?.DeepClone();
        }

        return CreateAsync("subnets", "subnet", value);
    }

    private Task<ApiResponse> LoadBalancerAsync(string vip) => fixture.Client.ApiPostAsync("/v2/lbaas/loadbalancers", "{\"loadbalancer\": {" + vip + "}}");

    [Fact]
    public async Task ByNetwork_TakesTheIpv4Subnet_EvenWhenTheIpv6OneCameFirst()
    {
        var network = await NetworkAsync();
        await SubnetAsync(network, "2001:db8:71::/64", 6);
        var v4 = await SubnetAsync(network, "10.71.0.0/24", 4);

        for (var i = 0; i < 3; i++)
        {
            var lb = await LoadBalancerAsync($"\"vip_network_id\": \"{network}\"");
            Assert.True(lb.Status == HttpStatusCode.Created, lb.Raw);
            Assert.Equal(v4, lb.Json["loadbalancer"]!["vip_subnet_id"]!.GetValue<string>());
            Assert.StartsWith("10.71.0.", lb.Json["loadbalancer"]!["vip_address"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ByNetwork_SkipsASubnetWithoutRoom_AndRefusesWhenNoneHasAny()
    {
        var network = await NetworkAsync();
        // One free address: a SINGLE load balancer needs two (its VIP and its amphora's).
        var pool = new JsonObject { ["allocation_pools"] = new JsonArray(new JsonObject { ["start"] = "10.72.0.2", ["end"] = "10.72.0.2" }) };
        await SubnetAsync(network, "10.72.0.0/24", 4, pool);
        var full = await LoadBalancerAsync($"\"vip_network_id\": \"{network}\"");
        Assert.Equal(HttpStatusCode.BadRequest, full.Status);
        Assert.Equal("Validation failure: Subnet(s) in the supplied network do not contain enough available IPs.", full.Fault);

        var v6 = await SubnetAsync(network, "2001:db8:72::/64", 6);
        var lb = await LoadBalancerAsync($"\"vip_network_id\": \"{network}\"");
        Assert.True(lb.Status == HttpStatusCode.Created, lb.Raw);
        Assert.Equal(v6, lb.Json["loadbalancer"]!["vip_subnet_id"]!.GetValue<string>());

        var empty = await LoadBalancerAsync($"\"vip_network_id\": \"{await NetworkAsync()}\"");
        Assert.Equal(HttpStatusCode.BadRequest, empty.Status);
        Assert.Equal("Validation failure: Supplied network does not contain a subnet.", empty.Fault);

        var outside = await LoadBalancerAsync($"\"vip_network_id\": \"{network}\", \"vip_address\": \"10.99.0.5\"");
        Assert.Equal(HttpStatusCode.BadRequest, outside.Status);
        Assert.Equal("Validation failure: Supplied network does not contain a subnet for VIP address specified.", outside.Fault);
    }

    [Fact]
    public async Task VipAddress_IsKeptAsSent_AndTakenInAnySpelling()
    {
        var network = await NetworkAsync();
        var v6 = await SubnetAsync(network, "2001:db8:73::/64", 6);
        var lb = await LoadBalancerAsync($"\"vip_subnet_id\": \"{v6}\", \"vip_address\": \"2001:DB8:73:0:0:0:0:10\"");
        Assert.True(lb.Status == HttpStatusCode.Created, lb.Raw);
        Assert.Equal("2001:DB8:73:0:0:0:0:10", lb.Json["loadbalancer"]!["vip_address"]!.GetValue<string>());
        var port = await Network.ApiGetAsync("/v2.0/ports/" + lb.Json["loadbalancer"]!["vip_port_id"]!.GetValue<string>());
        Assert.Equal("2001:db8:73::10", port.Json["port"]!["fixed_ips"]![0]!["ip_address"]!.GetValue<string>());

        var again = await LoadBalancerAsync($"\"vip_subnet_id\": \"{v6}\", \"vip_address\": \"2001:db8:73::10\"");
        Assert.Equal(HttpStatusCode.BadRequest, again.Status);
    }
}

public sealed class VipByNetworkSqliteTests(NetworkApiSqliteFixture fixture) : VipByNetworkTests(fixture), IClassFixture<NetworkApiSqliteFixture>;

public sealed class VipByNetworkPostgresTests(NetworkApiPostgresFixture fixture) : VipByNetworkTests(fixture), IClassFixture<NetworkApiPostgresFixture>;
