using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Octavia.Api.Tests.Infrastructure;

namespace Octavia.Api.Tests.Networking;

/// <summary>
/// The Neutron-compatible networking API v2.0 (<c>octavia network-api</c>): networks, subnets and ports over
/// the local network driver's tables and IPAM, with Neutron's envelopes, filters, status codes and errors.
/// </summary>
public abstract partial class NetworkApiTests(NetworkApiFixture fixture)
{
    private HttpClient Client => fixture.NetworkClient;

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private static string Body(string resource, object value) => JsonSerializer.Serialize(new Dictionary<string, object> { [resource] = value });

    private async Task<JsonObject> CreateAsync(string collection, string resource, object value)
    {
        var response = await Client.ApiPostAsync("/v2.0/" + collection, Body(resource, value));
        Assert.True(response.Status == HttpStatusCode.Created, $"{response.Status} {response.Raw}");
        return response.Json[resource]!.AsObject();
    }

    private Task<JsonObject> CreateNetworkAsync(string? name = null) => CreateAsync("networks", "network", new { name = name ?? Unique("net") });

    private Task<JsonObject> CreateSubnetAsync(string networkId, string cidr, int ipVersion = 4, string? name = null) =>
        CreateAsync("subnets", "subnet", new { network_id = networkId, cidr, ip_version = ipVersion, name = name ?? Unique("sub") });

    private static void AssertNeutronError(ApiResponse response, HttpStatusCode status, string type)
    {
        Assert.True(response.Status == status, $"expected {status}, got {response.Status} {response.Raw}");
        var error = response.Json["NeutronError"]!.AsObject();
        Assert.Equal(["type", "message", "detail"], error.Select(p => p.Key).ToArray());
        Assert.Equal(type, error["type"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(error["message"]!.GetValue<string>()));
    }

    private static string Id(JsonNode node) => node["id"]!.GetValue<string>();

    private static List<string> Names(ApiResponse list, string collection) =>
        list.Json[collection]!.AsArray().Select(n => n!["name"]!.GetValue<string>()).ToList();

    [Fact]
    public async Task Versions_AndExtensions_AreListed()
    {
        var root = await Client.ApiGetAsync("/");
        Assert.Equal(HttpStatusCode.OK, root.Status);
        Assert.Equal("v2.0", root.Json["versions"]![0]!["id"]!.GetValue<string>());
        Assert.Equal("CURRENT", root.Json["versions"]![0]!["status"]!.GetValue<string>());

        var extensions = await Client.ApiGetAsync("/v2.0/extensions");
        var aliases = extensions.Json["extensions"]!.AsArray().Select(e => e!["alias"]!.GetValue<string>()).ToList();
        Assert.Contains("external-net", aliases);
        Assert.Contains("port-security", aliases);
        Assert.Equal("external-net", (await Client.ApiGetAsync("/v2.0/extensions/external-net")).Json["extension"]!["alias"]!.GetValue<string>());
        AssertNeutronError(await Client.ApiGetAsync("/v2.0/extensions/tag-ports-during-bulk-creation"), HttpStatusCode.NotFound, "HTTPNotFound");
        AssertNeutronError(await Client.ApiGetAsync("/v2.0/routers"), HttpStatusCode.NotFound, "HTTPNotFound");
    }

    [Fact]
    public async Task DefaultNetworks_AreVisible_WithFilters()
    {
        var networks = await Client.ApiGetAsync("/v2.0/networks");
        Assert.Equal(HttpStatusCode.OK, networks.Status);
        Assert.Contains("public", Names(networks, "networks"));
        Assert.Contains("private", Names(networks, "networks"));
        Assert.Contains("lb-mgmt-net", Names(networks, "networks"));

        var external = await Client.ApiGetAsync("/v2.0/networks?router:external=True");
        Assert.Equal(["public"], Names(external, "networks"));
        var publicNetwork = external.Json["networks"]![0]!;
        Assert.Equal("ACTIVE", publicNetwork["status"]!.GetValue<string>());
        Assert.Single(publicNetwork["subnets"]!.AsArray());

        var subnet = (await Client.ApiGetAsync("/v2.0/subnets?name=public-subnet")).Json["subnets"]!.AsArray().Single()!;
        Assert.Equal(Id(publicNetwork), subnet["network_id"]!.GetValue<string>());
        Assert.Equal(publicNetwork["subnets"]![0]!.GetValue<string>(), Id(subnet));
        Assert.Equal(4, subnet["ip_version"]!.GetValue<int>());
        Assert.NotNull(subnet["allocation_pools"]![0]!["start"]);

        var privateSubnet = (await Client.ApiGetAsync("/v2.0/subnets?name=private-subnet")).Json["subnets"]!.AsArray().Single()!;
        Assert.Equal("192.0.2.0/24", privateSubnet["cidr"]!.GetValue<string>());
        Assert.Equal("192.0.2.1", privateSubnet["gateway_ip"]!.GetValue<string>());
        Assert.Single((await Client.ApiGetAsync("/v2.0/subnets?name=lb-mgmt-subnet")).Json["subnets"]!.AsArray());
        var privateV6 = (await Client.ApiGetAsync("/v2.0/subnets?name=private-ipv6-subnet")).Json["subnets"]!.AsArray().Single()!;
        Assert.Equal(("2001:db8:2::/64", 6, "2001:db8:2::1", privateSubnet["network_id"]!.GetValue<string>()),
            (privateV6["cidr"]!.GetValue<string>(), privateV6["ip_version"]!.GetValue<int>(), privateV6["gateway_ip"]!.GetValue<string>(),
                privateV6["network_id"]!.GetValue<string>()));

        var cut = await Client.ApiGetAsync("/v2.0/networks?name=private&fields=id&fields=name");
        Assert.Equal(["id", "name"], cut.Json["networks"]![0]!.AsObject().Select(p => p.Key).ToArray());

        // openstacksdk 0.101 sends fields as a Python tuple.
        var tuple = await Client.ApiGetAsync("/v2.0/networks?name=private&fields=%28%27id%27%2C+%27name%27%29");
        Assert.Equal(["id", "name"], tuple.Json["networks"]![0]!.AsObject().Select(p => p.Key).ToArray());
    }

    [Fact]
    public async Task Network_Crud_RoundTrips()
    {
        var name = Unique("net");
        var network = await CreateAsync("networks", "network", new { name, admin_state_up = true, mtu = 1450, description = "d" });
        foreach (var field in new[] { "id", "name", "tenant_id", "project_id", "admin_state_up", "status", "shared", "router:external", "mtu", "subnets",
            "created_at", "updated_at", "port_security_enabled", "description", "availability_zones" })
        {
            Assert.True(network.ContainsKey(field), $"missing {field}");
        }

        Assert.Equal("default", network["project_id"]!.GetValue<string>());
        Assert.Equal(1450, network["mtu"]!.GetValue<int>());
        Assert.Empty(network["subnets"]!.AsArray());
        var id = Id(network);

        Assert.Equal(name, (await Client.ApiGetAsync($"/v2.0/networks/{id}")).Json["network"]!["name"]!.GetValue<string>());
        var renamed = await Client.ApiPutAsync($"/v2.0/networks/{id}", Body("network", new { name = name + "-x", shared = true }));
        Assert.Equal(HttpStatusCode.OK, renamed.Status);
        Assert.True(renamed.Json["network"]!["shared"]!.GetValue<bool>());
        Assert.Equal([name + "-x"], Names(await Client.ApiGetAsync($"/v2.0/networks?id={id}"), "networks"));
        Assert.Single((await Client.ApiGetAsync($"/v2.0/networks?name={name}-x&project_id=default")).Json["networks"]!.AsArray());
        Assert.Empty((await Client.ApiGetAsync($"/v2.0/networks?name={name}-x&project_id=other")).Json["networks"]!.AsArray());

        Assert.Equal(HttpStatusCode.NoContent, (await Client.ApiDeleteAsync($"/v2.0/networks/{id}")).Status);
        AssertNeutronError(await Client.ApiGetAsync($"/v2.0/networks/{id}"), HttpStatusCode.NotFound, "NetworkNotFound");
        AssertNeutronError(await Client.ApiDeleteAsync($"/v2.0/networks/{id}"), HttpStatusCode.NotFound, "NetworkNotFound");
    }

    [Fact]
    public async Task Subnets_Ipv4AndIpv6_OverlapOnlyAcrossNetworks()
    {
        var a = Id(await CreateNetworkAsync());
        var b = Id(await CreateNetworkAsync());
        // The private network's own range, on two tenant networks: each will be a bridge of its own.
        var first = await CreateSubnetAsync(a, "192.0.2.0/24");
        Assert.Equal("192.0.2.1", first["gateway_ip"]!.GetValue<string>());
        Assert.Equal("192.0.2.2", first["allocation_pools"]![0]!["start"]!.GetValue<string>());
        Assert.Equal("192.0.2.254", first["allocation_pools"]![0]!["end"]!.GetValue<string>());
        await CreateSubnetAsync(b, "192.0.2.0/25");
        var stored = (await Client.ApiGetAsync("/v2.0/subnets")).Raw;
        AssertNeutronError(await Client.ApiPostAsync("/v2.0/subnets", Body("subnet", new { network_id = a, cidr = "192.0.2.128/25", ip_version = 4 })),
            HttpStatusCode.BadRequest, "InvalidInput");
        Assert.Equal(stored, (await Client.ApiGetAsync("/v2.0/subnets")).Raw);

        var v6 = await CreateSubnetAsync(a, "2001:db8:5::/64", ipVersion: 6);
        Assert.Equal(6, v6["ip_version"]!.GetValue<int>());
        Assert.Equal("2001:db8:5::1", v6["gateway_ip"]!.GetValue<string>());
        Assert.Equal("2001:db8:5::2", v6["allocation_pools"]![0]!["start"]!.GetValue<string>());
        Assert.Equal("2001:db8:5:0:ffff:ffff:ffff:ffff", v6["allocation_pools"]![0]!["end"]!.GetValue<string>());

        var custom = await CreateAsync("subnets", "subnet", new
        {
            network_id = b,
            cidr = "2001:db8:6::/64",
            ip_version = 6,
            gateway_ip = (string?)null,
            enable_dhcp = false,
            ipv6_address_mode = "slaac",
            ipv6_ra_mode = "slaac",
            allocation_pools = new[] { new { start = "2001:db8:6::10", end = "2001:db8:6::20" } },
            dns_nameservers = new[] { "2001:db8::53" },
            host_routes = new[] { new { destination = "2001:db8:7::/64", nexthop = "2001:db8:6::1" } },
        });
        Assert.Null(custom["gateway_ip"]);
        Assert.False(custom["enable_dhcp"]!.GetValue<bool>());
        Assert.Equal("slaac", custom["ipv6_address_mode"]!.GetValue<string>());
        Assert.Equal("2001:db8:6::10", custom["allocation_pools"]![0]!["start"]!.GetValue<string>());
        Assert.Equal("2001:db8::53", custom["dns_nameservers"]![0]!.GetValue<string>());
        Assert.Equal("2001:db8:6::1", custom["host_routes"]![0]!["nexthop"]!.GetValue<string>());

        var network = (await Client.ApiGetAsync($"/v2.0/networks/{a}")).Json["network"]!;
        Assert.Equal([Id(first), Id(v6)], network["subnets"]!.AsArray().Select(s => s!.GetValue<string>()).ToArray());
        Assert.Equal(2, (await Client.ApiGetAsync($"/v2.0/subnets?network_id={a}")).Json["subnets"]!.AsArray().Count);
        Assert.Single((await Client.ApiGetAsync($"/v2.0/subnets?network_id={a}&ip_version=6")).Json["subnets"]!.AsArray());

        var updated = await Client.ApiPutAsync($"/v2.0/subnets/{Id(first)}", Body("subnet", new { name = "renamed", dns_nameservers = new[] { "192.0.2.53" } }));
        Assert.Equal(HttpStatusCode.OK, updated.Status);
        Assert.Equal("renamed", updated.Json["subnet"]!["name"]!.GetValue<string>());
        AssertNeutronError(await Client.ApiPutAsync($"/v2.0/subnets/{Id(first)}", Body("subnet", new { cidr = "10.0.0.0/24" })),
            HttpStatusCode.BadRequest, "HTTPBadRequest");

        Assert.Equal(HttpStatusCode.NoContent, (await Client.ApiDeleteAsync($"/v2.0/subnets/{Id(first)}")).Status);
        AssertNeutronError(await Client.ApiGetAsync($"/v2.0/subnets/{Id(first)}"), HttpStatusCode.NotFound, "SubnetNotFound");
    }

    [Theory]
    [InlineData("""{"subnet": {"network_id": "N", "cidr": "10.0.0.0/33", "ip_version": 4}}""", "HTTPBadRequest")]
    [InlineData("""{"subnet": {"network_id": "N", "cidr": "banana", "ip_version": 4}}""", "HTTPBadRequest")]
    [InlineData("""{"subnet": {"network_id": "N", "cidr": "10.0.0.5/24", "ip_version": 4}}""", "HTTPBadRequest")]
    [InlineData("""{"subnet": {"network_id": "N", "cidr": "10.0.0.0/24", "ip_version": 5}}""", "HTTPBadRequest")]
    [InlineData("""{"subnet": {"network_id": "N", "cidr": "10.0.0.0/24", "ip_version": 6}}""", "InvalidInput")]
    [InlineData("""{"subnet": {"network_id": "N", "cidr": "0.0.0.0/0", "ip_version": 4}}""", "InvalidInput")]
    [InlineData("""{"subnet": {"network_id": "N", "cidr": "10.0.0.0/24", "gateway_ip": "10.0.1.1"}}""", "HTTPBadRequest")]
    [InlineData("""{"subnet": {"network_id": "N", "cidr": "10.0.0.0/24", "allocation_pools": [{"start": "10.0.0.10", "end": "10.0.1.5"}]}}""", "InvalidAllocationPool")]
    [InlineData("""{"subnet": {"network_id": "N", "cidr": "10.0.0.0/24", "allocation_pools": [{"start": "10.0.0.1", "end": "10.0.0.5"}]}}""", "GatewayConflictWithAllocationPools")]
    [InlineData("""{"subnet": {"network_id": "N", "cidr": "10.0.0.0/24", "dns_nameservers": ["not-an-ip"]}}""", "HTTPBadRequest")]
    [InlineData("""{"subnet": {"network_id": "N", "cidr": "10.0.0.0/24", "host_routes": [{"destination": "x"}]}}""", "HTTPBadRequest")]
    [InlineData("""{"subnet": {"network_id": "N", "cidr": "10.0.0.0/24", "colour": "blue"}}""", "HTTPBadRequest")]
    [InlineData("""{"subnet": {"network_id": "N", "cidr": 10}}""", "HTTPBadRequest")]
    [InlineData("""{"subnet": {"network_id": "N"}}""", "BadRequest")]
    [InlineData("""{"subnet": {"cidr": "10.0.0.0/24"}}""", "HTTPBadRequest")]
    [InlineData("""{"subnet": {"network_id": "N", "cidr": "10.0.0.0/24", "ip_version": 4, "ipv6_address_mode": "slaac"}}""", "InvalidInput")]
    [InlineData("""{"subnet": ["N"]}""", "HTTPBadRequest")]
    [InlineData("""{"subnet": {"network_id": "N", """, "HTTPBadRequest")]
    public async Task Subnet_BadInput_Is4xx_AndStoresNothing(string template, string type)
    {
        var network = Id(await CreateNetworkAsync());
        await CreateSubnetAsync(network, "10.9.0.0/24");
        var before = (await Client.ApiGetAsync("/v2.0/subnets")).Raw;
        // Neutron's GatewayConflictWithAllocationPools is a conflict; every other refusal here is a bad request.
        AssertNeutronError(await Client.ApiPostAsync("/v2.0/subnets", template.Replace("\"N\"", $"\"{network}\"", StringComparison.Ordinal)),
            type == "GatewayConflictWithAllocationPools" ? HttpStatusCode.Conflict : HttpStatusCode.BadRequest, type);
        Assert.Equal(before, (await Client.ApiGetAsync("/v2.0/subnets")).Raw);
    }

    [Fact]
    public async Task Ports_AllocateFromIpam_AndValidateGivenAddresses()
    {
        var network = Id(await CreateNetworkAsync());
        var subnet = Id(await CreateSubnetAsync(network, "10.20.0.0/24"));
        var device = Guid.NewGuid().ToString();

        var auto = await CreateAsync("ports", "port", new { network_id = network, device_id = device, device_owner = "compute:nova", name = "p1" });
        Assert.Equal("10.20.0.2", auto["fixed_ips"]![0]!["ip_address"]!.GetValue<string>());
        Assert.Equal(subnet, auto["fixed_ips"]![0]!["subnet_id"]!.GetValue<string>());
        Assert.Matches("^fa:16:3e(:[0-9a-f]{2}){3}$", auto["mac_address"]!.GetValue<string>());
        Assert.Equal("DOWN", auto["status"]!.GetValue<string>());
        Assert.Empty(auto["security_groups"]!.AsArray());

        var given = await CreateAsync("ports", "port", new
        {
            network_id = network,
            fixed_ips = new[] { new { subnet_id = subnet, ip_address = "10.20.0.50" } },
            mac_address = "fa:16:3e:00:00:01",
        });
        Assert.Equal("10.20.0.50", given["fixed_ips"]![0]!["ip_address"]!.GetValue<string>());
        Assert.Equal("fa:16:3e:00:00:01", given["mac_address"]!.GetValue<string>());

        // This network's ports only: the fixture's worker may still be freeing VIP ports of an earlier test's
        // load balancers elsewhere, which would change a listing of every port while this test runs.
        var before = (await Client.ApiGetAsync($"/v2.0/ports?network_id={network}")).Raw;
        AssertNeutronError(await Client.ApiPostAsync("/v2.0/ports", Body("port", new { network_id = network, fixed_ips = new[] { new { ip_address = "10.20.0.50" } } })),
            HttpStatusCode.Conflict, "IpAddressAlreadyAllocated");
        AssertNeutronError(await Client.ApiPostAsync("/v2.0/ports", Body("port", new { network_id = network, fixed_ips = new[] { new { subnet_id = subnet, ip_address = "10.21.0.5" } } })),
            HttpStatusCode.BadRequest, "InvalidIpForSubnet");
        AssertNeutronError(await Client.ApiPostAsync("/v2.0/ports", Body("port", new { network_id = network, fixed_ips = new[] { new { ip_address = "10.21.0.5" } } })),
            HttpStatusCode.BadRequest, "InvalidIpForNetwork");
        AssertNeutronError(await Client.ApiPostAsync("/v2.0/ports", Body("port", new { network_id = network, fixed_ips = new[] { new { subnet_id = subnet, ip_address = "10.20.0.1" } } })),
            HttpStatusCode.Conflict, "IpAddressAlreadyAllocated");
        AssertNeutronError(await Client.ApiPostAsync("/v2.0/ports", Body("port", new { network_id = network, mac_address = "fa:16:3e:00:00:01" })),
            HttpStatusCode.Conflict, "MacAddressInUse");
        AssertNeutronError(await Client.ApiPostAsync("/v2.0/ports", Body("port", new { network_id = network, mac_address = "zz" })),
            HttpStatusCode.BadRequest, "HTTPBadRequest");
        AssertNeutronError(await Client.ApiPostAsync("/v2.0/ports", Body("port", new { network_id = network, security_groups = new[] { "sg" } })),
            HttpStatusCode.NotFound, "SecurityGroupNotFound");
        AssertNeutronError(await Client.ApiPostAsync("/v2.0/ports", Body("port", new { network_id = network, fixed_ips = "10.20.0.9" })),
            HttpStatusCode.BadRequest, "HTTPBadRequest");
        AssertNeutronError(await Client.ApiPostAsync("/v2.0/ports", Body("port", new { network_id = Guid.NewGuid().ToString() })),
            HttpStatusCode.NotFound, "NetworkNotFound");
        var deleted = Id(await CreateNetworkAsync());
        Assert.Equal(HttpStatusCode.NoContent, (await Client.ApiDeleteAsync($"/v2.0/networks/{deleted}")).Status);
        AssertNeutronError(await Client.ApiPostAsync("/v2.0/ports", Body("port", new { network_id = deleted })), HttpStatusCode.NotFound, "NetworkNotFound");
        Assert.Equal(before, (await Client.ApiGetAsync($"/v2.0/ports?network_id={network}")).Raw);

        var byDevice = await Client.ApiGetAsync($"/v2.0/ports?device_id={device}");
        Assert.Equal([Id(auto)], byDevice.Json["ports"]!.AsArray().Select(p => Id(p!)).ToArray());
        var byAddress = await Client.ApiGetAsync($"/v2.0/ports?fixed_ips=ip_address%3D10.20.0.50");
        Assert.Equal([Id(given)], byAddress.Json["ports"]!.AsArray().Select(p => Id(p!)).ToArray());
        Assert.Equal(2, (await Client.ApiGetAsync($"/v2.0/ports?network_id={network}")).Json["ports"]!.AsArray().Count);

        var moved = await Client.ApiPutAsync($"/v2.0/ports/{Id(auto)}", Body("port", new
        {
            name = "p1b",
            fixed_ips = new object[] { new { subnet_id = subnet, ip_address = "10.20.0.2" }, new { subnet_id = subnet } },
        }));
        Assert.Equal(HttpStatusCode.OK, moved.Status);
        Assert.Equal(["10.20.0.2", "10.20.0.3"], moved.Json["port"]!["fixed_ips"]!.AsArray().Select(ip => ip!["ip_address"]!.GetValue<string>()).ToArray());
        Assert.Equal("p1b", (await Client.ApiGetAsync($"/v2.0/ports/{Id(auto)}")).Json["port"]!["name"]!.GetValue<string>());
        AssertNeutronError(await Client.ApiPutAsync($"/v2.0/ports/{Id(given)}", Body("port", new { fixed_ips = new[] { new { ip_address = "10.20.0.3" } } })),
            HttpStatusCode.Conflict, "IpAddressAlreadyAllocated");

        Assert.Equal(HttpStatusCode.NoContent, (await Client.ApiDeleteAsync($"/v2.0/ports/{Id(auto)}")).Status);
        AssertNeutronError(await Client.ApiGetAsync($"/v2.0/ports/{Id(auto)}"), HttpStatusCode.NotFound, "PortNotFound");
        var reused = await CreateAsync("ports", "port", new { network_id = network });
        Assert.Equal("10.20.0.2", reused["fixed_ips"]![0]!["ip_address"]!.GetValue<string>());
    }

    [Fact]
    public async Task Ipv6Port_GetsAnAddressOnEachSubnet()
    {
        var network = Id(await CreateNetworkAsync());
        await CreateSubnetAsync(network, "10.30.0.0/24");
        await CreateSubnetAsync(network, "2001:db8:30::/64", ipVersion: 6);
        var port = await CreateAsync("ports", "port", new { network_id = network });
        Assert.Equal(["10.30.0.2", "2001:db8:30::2"], port["fixed_ips"]!.AsArray().Select(ip => ip!["ip_address"]!.GetValue<string>()).Order().ToArray());
        var given = await CreateAsync("ports", "port", new { network_id = network, fixed_ips = new[] { new { ip_address = "2001:DB8:30:0::0a" } } });
        Assert.Equal("2001:db8:30::a", given["fixed_ips"]![0]!["ip_address"]!.GetValue<string>());
    }

    [Fact]
    public async Task NetworkAndSubnetInUse_AreConflicts_UntilThePortGoes()
    {
        var network = Id(await CreateNetworkAsync());
        var subnet = Id(await CreateSubnetAsync(network, "10.40.0.0/24"));
        var port = Id(await CreateAsync("ports", "port", new { network_id = network }));

        AssertNeutronError(await Client.ApiDeleteAsync($"/v2.0/subnets/{subnet}"), HttpStatusCode.Conflict, "SubnetInUse");
        AssertNeutronError(await Client.ApiDeleteAsync($"/v2.0/networks/{network}"), HttpStatusCode.Conflict, "NetworkInUse");
        Assert.Equal(HttpStatusCode.OK, (await Client.ApiGetAsync($"/v2.0/subnets/{subnet}")).Status);

        Assert.Equal(HttpStatusCode.NoContent, (await Client.ApiDeleteAsync($"/v2.0/ports/{port}")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await Client.ApiDeleteAsync($"/v2.0/networks/{network}")).Status);
        AssertNeutronError(await Client.ApiGetAsync($"/v2.0/subnets/{subnet}"), HttpStatusCode.NotFound, "SubnetNotFound");

        // The host holds an address on public: neither it nor its subnet can go.
        var publicSubnet = (await Client.ApiGetAsync("/v2.0/subnets?name=public-subnet")).Json["subnets"]![0]!;
        AssertNeutronError(await Client.ApiDeleteAsync($"/v2.0/subnets/{Id(publicSubnet)}"), HttpStatusCode.Conflict, "SubnetInUse");
        AssertNeutronError(await Client.ApiDeleteAsync($"/v2.0/networks/{publicSubnet["network_id"]!.GetValue<string>()}"), HttpStatusCode.Conflict, "NetworkInUse");
    }

    [Fact]
    public async Task VipPortOfTheDriver_IsVisible()
    {
        var publicSubnet = Id((await Client.ApiGetAsync("/v2.0/subnets?name=public-subnet")).Json["subnets"]![0]!);
        var created = await fixture.Client.ApiPostAsync("/v2/lbaas/loadbalancers", Body("loadbalancer", new { name = Unique("lb"), vip_subnet_id = publicSubnet }));
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var lb = created.Json["loadbalancer"]!;

        var ports = (await Client.ApiGetAsync($"/v2.0/ports?device_id={Id(lb)}&device_owner=Octavia")).Json["ports"]!.AsArray();
        var vip = Assert.Single(ports)!;
        Assert.Equal(lb["vip_port_id"]!.GetValue<string>(), Id(vip));
        Assert.Equal(lb["vip_address"]!.GetValue<string>(), vip["fixed_ips"]![0]!["ip_address"]!.GetValue<string>());
        Assert.Equal("ACTIVE", vip["status"]!.GetValue<string>());
        var byAddress = await Client.ApiGetAsync($"/v2.0/ports?fixed_ips=ip_address%3D{lb["vip_address"]!.GetValue<string>()}&fixed_ips=subnet_id%3D{publicSubnet}");
        Assert.Single(byAddress.Json["ports"]!.AsArray());
        await fixture.Client.WaitForLoadBalancerAsync(Id(lb));
    }

    [Fact]
    public async Task Ipv6VipFromThePool_MembersOfTheOtherFamilyThanTheirSubnet_Are400()
    {
        var v6 = Id((await Client.ApiGetAsync("/v2.0/subnets?name=private-ipv6-subnet")).Json["subnets"]![0]!);
        var v4 = Id((await Client.ApiGetAsync("/v2.0/subnets?name=private-subnet")).Json["subnets"]![0]!);
        var created = await fixture.Client.ApiPostAsync("/v2/lbaas/loadbalancers", Body("loadbalancer", new { name = Unique("lb"), vip_subnet_id = v6 }));
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var lbId = Id(created.Json["loadbalancer"]!);
        Assert.StartsWith("2001:db8:2::", created.Json["loadbalancer"]!["vip_address"]!.GetValue<string>(), StringComparison.Ordinal);
        await fixture.Client.WaitForLoadBalancerAsync(lbId);
        var pool = await fixture.Client.CreatePoolAsync(lbId);

        foreach (var (address, subnet, family, version) in new[] { ("2001:db8:2::10", v4, 6, 4), ("192.0.2.10", v6, 4, 6) })
        {
            var refused = await fixture.Client.ApiPostAsync($"/v2/lbaas/pools/{pool}/members",
                Body("member", new { address, protocol_port = 80, subnet_id = subnet }));
            Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
            Assert.Equal($"Validation failure: Member address {address} is an IPv{family} address but subnet {subnet} is an IPv{version} subnet.",
                refused.Json["faultstring"]!.GetValue<string>());
        }

        var batch = await fixture.Client.ApiPutAsync($"/v2/lbaas/pools/{pool}/members",
            Body("members", new[] { new { address = "2001:db8:2::10", protocol_port = 80, subnet_id = v6 }, new { address = "2001:db8:2::11", protocol_port = 80, subnet_id = v4 } }));
        Assert.Equal(HttpStatusCode.BadRequest, batch.Status);
        Assert.Empty((await fixture.Client.ApiGetAsync($"/v2/lbaas/pools/{pool}/members")).Json["members"]!.AsArray());

        await fixture.Client.CreateChildAsync($"/v2/lbaas/pools/{pool}/members", "member",
            Body("member", new { address = "2001:db8:2::10", protocol_port = 80, subnet_id = v6 }), lbId);
        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Client.ApiDeleteAsync($"/v2/lbaas/loadbalancers/{lbId}?cascade=true")).Status);
    }

    [Fact]
    public async Task Garbage_IsNever500()
    {
        var network = Id(await CreateNetworkAsync());
        var port = Id(await CreateAsync("ports", "port", new { network_id = network }));
        string[] bodies = ["", "null", "[]", "{}", "\"x\"", "{\"network\": null}", "{\"network\": {\"name\": 5}}", "{\"port\": {\"fixed_ips\": [5]}}",
            "{\"port\": {\"fixed_ips\": [{\"ip_address\": null}]}}", "{\"network\": {\"mtu\": \"big\"}}", "{\"subnet\": {\"allocation_pools\": [{}]}}",
            "{\"port\": {\"admin_state_up\": \"maybe\"}}", "{\"network\": {\"admin_state_up\": 2}}", "{\"subnet\": {\"host_routes\": {}}}"];
        foreach (var path in new[] { "/v2.0/networks", "/v2.0/subnets", "/v2.0/ports", "/v2.0/floatingips", $"/v2.0/networks/{network}", $"/v2.0/ports/{port}" })
        {
            foreach (var body in bodies)
            {
                var method = path.Count(c => c == '/') > 2 ? HttpMethod.Put : HttpMethod.Post;
                var response = await Client.SendAsync(method, path, body);
                Assert.True((int)response.Status is >= 400 and < 500, $"{method} {path} {body}: {response.Status} {response.Raw}");
                Assert.NotNull(response.Json["NeutronError"]);
            }
        }
    }
}

public sealed class NetworkApiSqliteTests(NetworkApiSqliteFixture fixture) : NetworkApiTests(fixture), IClassFixture<NetworkApiSqliteFixture>;

public sealed class NetworkApiPostgresTests(NetworkApiPostgresFixture fixture) : NetworkApiTests(fixture), IClassFixture<NetworkApiPostgresFixture>;
