using System.Net;
using System.Text.Json.Nodes;
using Octavia.Api.Tests.Infrastructure;

namespace Octavia.Api.Tests.Networking;

/// <summary><c>/v2.0/floatingips</c>: Neutron's floating IPs over the IPAM of <c>public</c>, associated with ports of tenant networks.</summary>
public abstract partial class NetworkApiTests
{
    private async Task<string> NetworkIdAsync(string name) =>
        Id((await Client.ApiGetAsync($"/v2.0/networks?name={name}")).Json["networks"]!.AsArray().Single()!);

    /// <summary>A port on <c>private</c> (a tenant network whose subnet has its gateway at .1) with one fixed IP.</summary>
    private async Task<JsonObject> PrivatePortAsync() => await CreateAsync("ports", "port", new { network_id = await NetworkIdAsync("private") });

    private static string Text(JsonNode node, string name) => node[name]!.GetValue<string>();

    /// <summary>An address of public-subnet (203.0.113.0/24, or its loopback twin when amphorae are processes) by its last byte.</summary>
    private async Task<string> PublicAddressAsync(int last)
    {
        var cidr = Text((await Client.ApiGetAsync("/v2.0/subnets?name=public-subnet")).Json["subnets"]![0]!, "cidr");
        return cidr[..(cidr.LastIndexOf('.') + 1)] + last.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task FloatingIp_Crud_Association_AndFilters()
    {
        var publicNetwork = await NetworkIdAsync("public");
        var created = await CreateAsync("floatingips", "floatingip", new { floating_network_id = publicNetwork, description = "for lb1" });
        var fip = Id(created);
        var address = Text(created, "floating_ip_address");
        Assert.StartsWith((await PublicAddressAsync(0))[..^1], address, StringComparison.Ordinal);
        Assert.Equal(publicNetwork, Text(created, "floating_network_id"));
        Assert.Equal("DOWN", Text(created, "status"));
        Assert.Equal("for lb1", Text(created, "description"));
        Assert.Null(created["port_id"]);
        Assert.Null(created["fixed_ip_address"]);
        Assert.Null(created["router_id"]);

        // The address is held by a port of the external network, as in Neutron.
        var held = (await Client.ApiGetAsync($"/v2.0/ports?device_id={fip}&device_owner=network:floatingip")).Json["ports"]!.AsArray().Single()!;
        Assert.Equal(address, Text(held["fixed_ips"]![0]!, "ip_address"));
        AssertNeutronError(await Client.ApiDeleteAsync($"/v2.0/ports/{Id(held)}"), HttpStatusCode.Conflict, "ServicePortInUse");

        var port = await PrivatePortAsync();
        var fixedIp = Text(port["fixed_ips"]![0]!, "ip_address");
        var set = await Client.ApiPutAsync($"/v2.0/floatingips/{fip}", Body("floatingip", new { port_id = Id(port) }));
        Assert.True(set.Status == HttpStatusCode.OK, set.Raw);
        var associated = set.Json["floatingip"]!;
        Assert.Equal("ACTIVE", Text(associated, "status"));
        Assert.Equal(Id(port), Text(associated, "port_id"));
        Assert.Equal(fixedIp, Text(associated, "fixed_ip_address"));
        Assert.Matches("^[0-9a-f-]{36}$", Text(associated, "router_id"));
        Assert.Equal(Text(port, "network_id"), Text(associated["port_details"]!, "network_id"));
        Assert.Equal(address, Text((await Client.ApiGetAsync($"/v2.0/floatingips/{fip}")).Json["floatingip"]!, "floating_ip_address"));

        var chosen = await PublicAddressAsync(201);
        var second = await CreateAsync("floatingips", "floatingip", new { floating_network_id = publicNetwork, floating_ip_address = chosen });
        Assert.Equal(chosen, Text(second, "floating_ip_address"));
        List<string> Ids(ApiResponse list) => list.Json["floatingips"]!.AsArray().Select(f => Id(f!)).ToList();
        Assert.Equal([fip], Ids(await Client.ApiGetAsync($"/v2.0/floatingips?port_id={Id(port)}")));
        Assert.Equal([fip], Ids(await Client.ApiGetAsync($"/v2.0/floatingips?fixed_ip_address={fixedIp}")));
        Assert.Equal([Id(second)], Ids(await Client.ApiGetAsync($"/v2.0/floatingips?floating_ip_address={chosen}")));
        Assert.Contains(fip, Ids(await Client.ApiGetAsync("/v2.0/floatingips?status=ACTIVE")));
        Assert.DoesNotContain(Id(second), Ids(await Client.ApiGetAsync("/v2.0/floatingips?status=ACTIVE")));
        Assert.Contains(Id(second), Ids(await Client.ApiGetAsync($"/v2.0/floatingips?floating_network_id={publicNetwork}")));
        var cut = (await Client.ApiGetAsync($"/v2.0/floatingips/{fip}?fields=id&fields=status")).Json["floatingip"]!.AsObject();
        Assert.Equal(["id", "status"], cut.Select(p => p.Key).Order().ToArray());

        // Unset (port_id null), as `openstack floating ip unset --port` sends it.
        var unset = await Client.ApiPutAsync($"/v2.0/floatingips/{fip}", """{"floatingip": {"port_id": null}}""");
        Assert.Equal(HttpStatusCode.OK, unset.Status);
        Assert.Equal("DOWN", Text(unset.Json["floatingip"]!, "status"));
        Assert.Null(unset.Json["floatingip"]!["fixed_ip_address"]);
        Assert.Null(unset.Json["floatingip"]!["router_id"]);

        // Deleting an associated port frees its floating IP.
        Assert.Equal(HttpStatusCode.OK, (await Client.ApiPutAsync($"/v2.0/floatingips/{Id(second)}", Body("floatingip", new { port_id = Id(port) }))).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await Client.ApiDeleteAsync($"/v2.0/ports/{Id(port)}")).Status);
        var freed = (await Client.ApiGetAsync($"/v2.0/floatingips/{Id(second)}")).Json["floatingip"]!;
        Assert.Equal("DOWN", Text(freed, "status"));
        Assert.Null(freed["port_id"]);

        // Delete frees the address: it can be asked for again.
        Assert.Equal(HttpStatusCode.NoContent, (await Client.ApiDeleteAsync($"/v2.0/floatingips/{Id(second)}")).Status);
        AssertNeutronError(await Client.ApiGetAsync($"/v2.0/floatingips/{Id(second)}"), HttpStatusCode.NotFound, "FloatingIPNotFound");
        Assert.Empty((await Client.ApiGetAsync($"/v2.0/ports?fixed_ips=ip_address%3D{chosen}")).Json["ports"]!.AsArray());
        var again = await CreateAsync("floatingips", "floatingip", new { floating_network_id = publicNetwork, floating_ip_address = chosen });
        Assert.Equal(HttpStatusCode.NoContent, (await Client.ApiDeleteAsync($"/v2.0/floatingips/{Id(again)}")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await Client.ApiDeleteAsync($"/v2.0/floatingips/{fip}")).Status);
        Assert.Empty((await Client.ApiGetAsync($"/v2.0/ports?device_id={fip}")).Json["ports"]!.AsArray());
    }

    [Fact]
    public async Task FloatingIp_Errors_AreNeutrons_AndStoreNothing()
    {
        var publicNetwork = await NetworkIdAsync("public");
        var privateNetwork = await NetworkIdAsync("private");
        var port = await PrivatePortAsync();
        var taken = await CreateAsync("floatingips", "floatingip", new { floating_network_id = publicNetwork, port_id = Id(port) });
        Assert.Equal("ACTIVE", Text(taken, "status"));
        var free = await CreateAsync("floatingips", "floatingip", new { floating_network_id = publicNetwork });
        var onPublic = await CreateAsync("ports", "port", new { network_id = publicNetwork });
        var bare = await CreateAsync("ports", "port", new { network_id = privateNetwork, fixed_ips = Array.Empty<object>() });
        var isolated = Id(await CreateNetworkAsync());
        await CreateAsync("subnets", "subnet", new { network_id = isolated, cidr = "10.50.0.0/24", ip_version = 4, gateway_ip = (string?)null });
        var noGateway = await CreateAsync("ports", "port", new { network_id = isolated });

        var floatingIps = (await Client.ApiGetAsync("/v2.0/floatingips")).Raw;
        var ports = (await Client.ApiGetAsync("/v2.0/ports")).Raw;
        var missing = Guid.NewGuid().ToString();
        var put = $"/v2.0/floatingips/{Id(free)}";

        AssertNeutronError(await Client.ApiPostAsync("/v2.0/floatingips", Body("floatingip", new { floating_network_id = privateNetwork })),
            HttpStatusCode.BadRequest, "BadRequest");
        AssertNeutronError(await Client.ApiPostAsync("/v2.0/floatingips", Body("floatingip", new { floating_network_id = missing })),
            HttpStatusCode.NotFound, "NetworkNotFound");
        AssertNeutronError(await Client.ApiPostAsync("/v2.0/floatingips", Body("floatingip", new { })), HttpStatusCode.BadRequest, "HTTPBadRequest");
        AssertNeutronError(await Client.ApiPostAsync("/v2.0/floatingips", Body("floatingip", new { floating_network_id = publicNetwork, port_id = missing })),
            HttpStatusCode.NotFound, "PortNotFound");
        AssertNeutronError(await Client.ApiPostAsync("/v2.0/floatingips", Body("floatingip", new { floating_network_id = publicNetwork, port_id = Id(port) })),
            HttpStatusCode.Conflict, "FloatingIPPortAlreadyAssociated");
        AssertNeutronError(await Client.ApiPostAsync("/v2.0/floatingips", Body("floatingip", new { floating_network_id = publicNetwork, floating_ip_address = "198.51.100.7" })),
            HttpStatusCode.BadRequest, "InvalidIpForNetwork");
        AssertNeutronError(await Client.ApiPostAsync("/v2.0/floatingips", Body("floatingip", new { floating_network_id = publicNetwork, floating_ip_address = Text(taken, "floating_ip_address") })),
            HttpStatusCode.Conflict, "IpAddressAlreadyAllocated");
        AssertNeutronError(await Client.ApiPostAsync("/v2.0/floatingips", Body("floatingip", new { floating_network_id = publicNetwork, qos_policy_id = "q" })),
            HttpStatusCode.NotFound, "QosPolicyNotFound");
        AssertNeutronError(await Client.ApiPutAsync(put, Body("floatingip", new { port_id = missing })), HttpStatusCode.NotFound, "PortNotFound");
        AssertNeutronError(await Client.ApiPutAsync(put, Body("floatingip", new { port_id = Id(port) })), HttpStatusCode.Conflict, "FloatingIPPortAlreadyAssociated");
        AssertNeutronError(await Client.ApiPutAsync(put, Body("floatingip", new { port_id = Id(bare) })), HttpStatusCode.BadRequest, "BadRequest");
        AssertNeutronError(await Client.ApiPutAsync(put, Body("floatingip", new { port_id = Id(onPublic) })), HttpStatusCode.NotFound, "ExternalGatewayForFloatingIPNotFound");
        AssertNeutronError(await Client.ApiPutAsync(put, Body("floatingip", new { port_id = Id(noGateway) })), HttpStatusCode.NotFound, "ExternalGatewayForFloatingIPNotFound");
        AssertNeutronError(await Client.ApiPutAsync(put, Body("floatingip", new { port_id = Id(port), fixed_ip_address = "192.0.2.254" })),
            HttpStatusCode.BadRequest, "BadRequest");
        AssertNeutronError(await Client.ApiPutAsync(put, Body("floatingip", new { fixed_ip_address = "192.0.2.254" })), HttpStatusCode.BadRequest, "BadRequest");
        AssertNeutronError(await Client.ApiPutAsync(put, Body("floatingip", new { floating_network_id = privateNetwork })), HttpStatusCode.BadRequest, "HTTPBadRequest");
        AssertNeutronError(await Client.ApiPutAsync($"/v2.0/floatingips/{missing}", Body("floatingip", new { port_id = Id(port) })),
            HttpStatusCode.NotFound, "FloatingIPNotFound");
        AssertNeutronError(await Client.ApiDeleteAsync($"/v2.0/floatingips/{missing}"), HttpStatusCode.NotFound, "FloatingIPNotFound");

        Assert.Equal(floatingIps, (await Client.ApiGetAsync("/v2.0/floatingips")).Raw);
        Assert.Equal(ports, (await Client.ApiGetAsync("/v2.0/ports")).Raw);
        foreach (var id in new[] { Id(taken), Id(free) })
        {
            Assert.Equal(HttpStatusCode.NoContent, (await Client.ApiDeleteAsync($"/v2.0/floatingips/{id}")).Status);
        }
    }
}
