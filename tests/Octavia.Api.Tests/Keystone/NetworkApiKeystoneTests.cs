using System.Net;
using System.Text.Json.Nodes;
using Octavia.Api.Tests.Infrastructure;

namespace Octavia.Api.Tests.Keystone;

/// <summary>
/// The networking API under <c>auth_strategy = keystone</c>, against the real Keystone: the token checks of the
/// load-balancer API, and Neutron's default scoping (a project sees its own networks, subnets, ports and floating IPs,
/// plus shared and external networks and their subnets; the <c>admin</c> role sees everything).
/// </summary>
[Collection(KeystoneCollection.Name)]
public sealed class NetworkApiKeystoneTests(KeystoneFixture fixture)
{
    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task AnyRequest_WithoutValidToken_Is401_VersionsStayOpen()
    {
        foreach (var token in new[] { null, "garbage" })
        {
            using var client = fixture.Cloud.NetworkClientWith(token);
            foreach (var (method, path) in new[]
            {
                (HttpMethod.Get, "/v2.0/networks"), (HttpMethod.Get, "/v2.0/subnets.json"), (HttpMethod.Post, "/v2.0/ports"),
                (HttpMethod.Put, "/v2.0/networks/x"), (HttpMethod.Delete, "/v2.0/subnets/x"), (HttpMethod.Get, "/v2.0/extensions"),
            })
            {
                var response = await client.SendAsync(method, path, method == HttpMethod.Get ? null : "{}");
                Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
                Assert.Equal("application/json", response.Message.Content.Headers.ContentType?.MediaType);
                // keystonemiddleware answers before Neutron sees the request, as in a real Neutron.
                Assert.Equal(401, response.Json["error"]!["code"]!.GetValue<int>());
                Assert.StartsWith("Keystone uri=", response.Message.Headers.WwwAuthenticate.ToString());
            }

            Assert.Equal(HttpStatusCode.OK, (await client.ApiGetAsync("/")).Status);
        }
    }

    [Fact]
    public async Task TwoProjects_NeverSeeEachOthersNetworksSubnetsPorts_BothSeePublic()
    {
        using var a = fixture.Cloud.NetworkClientWith(await RbacTokens.GetAsync(fixture, KeystoneFixture.ProjectA, "member"));
        using var b = fixture.Cloud.NetworkClientWith(await RbacTokens.GetAsync(fixture, KeystoneFixture.ProjectB, "member"));
        using var admin = fixture.Cloud.NetworkClientWith(await RbacTokens.GetAsync(fixture, KeystoneFixture.ProjectA, "admin"));
        var projectA = fixture.ProjectId(KeystoneFixture.ProjectA);
        var projectB = fixture.ProjectId(KeystoneFixture.ProjectB);
        var mine = await CreateTenantNetworkAsync(a, "10.10.0.0/24");
        var theirs = await CreateTenantNetworkAsync(b, "10.10.0.0/24");
        Assert.Equal(projectA, mine.Network["project_id"]!.GetValue<string>());
        Assert.Equal(projectB, theirs.Network["project_id"]!.GetValue<string>());

        foreach (var (client, own, other) in new[] { (a, mine, theirs), (b, theirs, mine) })
        {
            var networks = Ids(await client.ApiGetAsync("/v2.0/networks"), "networks");
            Assert.Contains(Id(own.Network), networks);
            Assert.DoesNotContain(Id(other.Network), networks);
            var visible = Names(await client.ApiGetAsync("/v2.0/networks"), "networks");
            Assert.Contains("public", visible);
            Assert.DoesNotContain("private", visible);
            Assert.DoesNotContain("lb-mgmt-net", visible);

            var subnets = Ids(await client.ApiGetAsync("/v2.0/subnets"), "subnets");
            Assert.Contains(Id(own.Subnet), subnets);
            Assert.DoesNotContain(Id(other.Subnet), subnets);
            Assert.Single((await client.ApiGetAsync("/v2.0/subnets?name=public-subnet")).Json["subnets"]!.AsArray());

            var ports = Ids(await client.ApiGetAsync("/v2.0/ports"), "ports");
            Assert.Contains(Id(own.Port), ports);
            Assert.DoesNotContain(Id(other.Port), ports);
            Assert.Empty(Ids(await client.ApiGetAsync($"/v2.0/ports?network_id={Id(other.Network)}"), "ports"));

            // Another project's objects do not exist for this one, whatever the method.
            AssertNeutronError(await client.ApiGetAsync($"/v2.0/networks/{Id(other.Network)}"), HttpStatusCode.NotFound, "NetworkNotFound");
            AssertNeutronError(await client.ApiGetAsync($"/v2.0/subnets/{Id(other.Subnet)}"), HttpStatusCode.NotFound, "SubnetNotFound");
            AssertNeutronError(await client.ApiGetAsync($"/v2.0/ports/{Id(other.Port)}"), HttpStatusCode.NotFound, "PortNotFound");
            AssertNeutronError(await client.ApiPutAsync($"/v2.0/networks/{Id(other.Network)}", """{"network": {"name": "taken"}}"""),
                HttpStatusCode.NotFound, "NetworkNotFound");
            AssertNeutronError(await client.ApiPutAsync($"/v2.0/ports/{Id(other.Port)}", """{"port": {"name": "taken"}}"""),
                HttpStatusCode.NotFound, "PortNotFound");
            AssertNeutronError(await client.ApiDeleteAsync($"/v2.0/ports/{Id(other.Port)}"), HttpStatusCode.NotFound, "PortNotFound");
            AssertNeutronError(await client.ApiDeleteAsync($"/v2.0/subnets/{Id(other.Subnet)}"), HttpStatusCode.NotFound, "SubnetNotFound");
            AssertNeutronError(await client.ApiDeleteAsync($"/v2.0/networks/{Id(other.Network)}"), HttpStatusCode.NotFound, "NetworkNotFound");
            AssertNeutronError(await client.ApiPostAsync("/v2.0/subnets",
                $$$"""{"subnet": {"network_id": "{{{Id(other.Network)}}}", "cidr": "10.20.0.0/24", "ip_version": 4}}"""), HttpStatusCode.NotFound, "NetworkNotFound");
            AssertNeutronError(await client.ApiPostAsync("/v2.0/ports", $$$"""{"port": {"network_id": "{{{Id(other.Network)}}}"}}"""),
                HttpStatusCode.NotFound, "NetworkNotFound");
        }

        // Creating for another project, or changing the external network everyone sees, needs the admin role.
        AssertNeutronError(await a.ApiPostAsync("/v2.0/networks", $$$"""{"network": {"name": "for-b", "project_id": "{{{projectB}}}"}}"""),
            HttpStatusCode.Forbidden, "PolicyNotAuthorized");
        var publicNetwork = Id((await a.ApiGetAsync("/v2.0/networks?name=public")).Json["networks"]!.AsArray().Single()!);
        AssertNeutronError(await a.ApiPutAsync($"/v2.0/networks/{publicNetwork}", """{"network": {"name": "mine-now"}}"""),
            HttpStatusCode.Forbidden, "PolicyNotAuthorized");
        AssertNeutronError(await a.ApiDeleteAsync($"/v2.0/networks/{publicNetwork}"), HttpStatusCode.Forbidden, "PolicyNotAuthorized");
        AssertNeutronError(await a.ApiPostAsync("/v2.0/subnets",
            $$$"""{"subnet": {"network_id": "{{{publicNetwork}}}", "cidr": "10.30.0.0/24", "ip_version": 4}}"""), HttpStatusCode.Forbidden, "PolicyNotAuthorized");
        AssertNeutronError(await a.ApiPostAsync("/v2.0/ports", $$$"""{"port": {"network_id": "{{{publicNetwork}}}"}}"""), HttpStatusCode.Forbidden, "HTTPForbidden");
        Assert.Contains("public", Names(await a.ApiGetAsync("/v2.0/networks"), "networks"));

        // A shared network is open to other projects' ports, which its owner then sees too; its subnets stay the owner's.
        Assert.Equal(HttpStatusCode.OK, (await a.ApiPutAsync($"/v2.0/networks/{Id(mine.Network)}", """{"network": {"shared": true}}""")).Status);
        var guest = await b.ApiPostAsync("/v2.0/ports", $$$"""{"port": {"network_id": "{{{Id(mine.Network)}}}", "name": "guest"}}""");
        Assert.Equal(HttpStatusCode.Created, guest.Status);
        Assert.Equal(projectB, guest.Json["port"]!["project_id"]!.GetValue<string>());
        Assert.Contains(Id(mine.Subnet), Ids(await b.ApiGetAsync("/v2.0/subnets"), "subnets"));
        Assert.Contains(Id(guest.Json["port"]!), Ids(await a.ApiGetAsync("/v2.0/ports"), "ports"));
        AssertNeutronError(await b.ApiPutAsync($"/v2.0/networks/{Id(mine.Network)}", """{"network": {"name": "taken"}}"""),
            HttpStatusCode.Forbidden, "PolicyNotAuthorized");
        Assert.Equal(HttpStatusCode.NoContent, (await b.ApiDeleteAsync($"/v2.0/ports/{Id(guest.Json["port"]!)}")).Status);

        // The admin role sees every project's objects, the networks of the cloud itself included, and may create for any.
        var all = Ids(await admin.ApiGetAsync("/v2.0/networks"), "networks");
        Assert.Contains(Id(mine.Network), all);
        Assert.Contains(Id(theirs.Network), all);
        Assert.Contains("private", Names(await admin.ApiGetAsync("/v2.0/networks"), "networks"));
        Assert.Contains(Id(theirs.Port), Ids(await admin.ApiGetAsync("/v2.0/ports"), "ports"));
        var forB = await admin.ApiPostAsync("/v2.0/networks", $$$"""{"network": {"name": "{{{Unique("for-b")}}}", "project_id": "{{{projectB}}}"}}""");
        Assert.Equal(HttpStatusCode.Created, forB.Status);
        Assert.Contains(Id(forB.Json["network"]!), Ids(await b.ApiGetAsync("/v2.0/networks"), "networks"));

        // Each may still delete its own.
        foreach (var (client, own) in new[] { (a, mine), (b, theirs) })
        {
            Assert.Equal(HttpStatusCode.NoContent, (await client.ApiDeleteAsync($"/v2.0/ports/{Id(own.Port)}")).Status);
            Assert.Equal(HttpStatusCode.NoContent, (await client.ApiDeleteAsync($"/v2.0/networks/{Id(own.Network)}")).Status);
        }

        Assert.Equal(HttpStatusCode.NoContent, (await b.ApiDeleteAsync($"/v2.0/networks/{Id(forB.Json["network"]!)}")).Status);
    }

    [Fact]
    public async Task FloatingIps_StayTheirProjects_AnotherProjectsPortCannotBeTaken_AdminSeesAll()
    {
        using var a = fixture.Cloud.NetworkClientWith(await RbacTokens.GetAsync(fixture, KeystoneFixture.ProjectA, "member"));
        using var b = fixture.Cloud.NetworkClientWith(await RbacTokens.GetAsync(fixture, KeystoneFixture.ProjectB, "member"));
        using var admin = fixture.Cloud.NetworkClientWith(await RbacTokens.GetAsync(fixture, KeystoneFixture.ProjectA, "admin"));
        var publicNetwork = Id((await a.ApiGetAsync("/v2.0/networks?name=public")).Json["networks"]!.AsArray().Single()!);
        var mine = await CreateTenantNetworkAsync(a, "10.40.0.0/24");
        var theirs = await CreateTenantNetworkAsync(b, "10.41.0.0/24");
        var ofA = await CreateAsync(a, "floatingips", "floatingip",
            $$$"""{"floatingip": {"floating_network_id": "{{{publicNetwork}}}", "port_id": "{{{Id(mine.Port)}}}", "description": "a's"}}""");
        var ofB = await CreateAsync(b, "floatingips", "floatingip", $$$"""{"floatingip": {"floating_network_id": "{{{publicNetwork}}}"}}""");
        Assert.Equal(fixture.ProjectId(KeystoneFixture.ProjectA), ofA["project_id"]!.GetValue<string>());
        Assert.Equal(Id(mine.Port), ofA["port_id"]!.GetValue<string>());
        Assert.Equal(fixture.ProjectId(KeystoneFixture.ProjectB), ofB["project_id"]!.GetValue<string>());

        // Each project lists only its own floating IPs; the admin role lists both.
        Assert.Contains(Id(ofA), Ids(await a.ApiGetAsync("/v2.0/floatingips"), "floatingips"));
        Assert.DoesNotContain(Id(ofB), Ids(await a.ApiGetAsync("/v2.0/floatingips"), "floatingips"));
        Assert.Contains(Id(ofB), Ids(await b.ApiGetAsync("/v2.0/floatingips"), "floatingips"));
        Assert.DoesNotContain(Id(ofA), Ids(await b.ApiGetAsync("/v2.0/floatingips"), "floatingips"));
        Assert.Empty(Ids(await b.ApiGetAsync($"/v2.0/floatingips?port_id={Id(mine.Port)}"), "floatingips"));
        var all = Ids(await admin.ApiGetAsync("/v2.0/floatingips"), "floatingips");
        Assert.Contains(Id(ofA), all);
        Assert.Contains(Id(ofB), all);

        // A port of another project's network is taken by sharing it; the owner then sees that port, but not to use.
        Assert.Equal(HttpStatusCode.OK, (await a.ApiPutAsync($"/v2.0/networks/{Id(mine.Network)}", """{"network": {"shared": true}}""")).Status);
        var guest = await CreateAsync(b, "ports", "port", $$$"""{"port": {"network_id": "{{{Id(mine.Network)}}}", "name": "guest"}}""");
        Assert.Contains(Id(guest), Ids(await a.ApiGetAsync("/v2.0/ports"), "ports"));

        var before = await StoredFloatingIpsAsync(admin);
        AssertNeutronError(await b.ApiGetAsync($"/v2.0/floatingips/{Id(ofA)}"), HttpStatusCode.NotFound, "FloatingIPNotFound");
        AssertNeutronError(await b.ApiPutAsync($"/v2.0/floatingips/{Id(ofA)}", """{"floatingip": {"description": "taken"}}"""),
            HttpStatusCode.NotFound, "FloatingIPNotFound");
        AssertNeutronError(await b.ApiPutAsync($"/v2.0/floatingips/{Id(ofA)}", """{"floatingip": {"port_id": null}}"""),
            HttpStatusCode.NotFound, "FloatingIPNotFound");
        AssertNeutronError(await b.ApiDeleteAsync($"/v2.0/floatingips/{Id(ofA)}"), HttpStatusCode.NotFound, "FloatingIPNotFound");
        AssertNeutronError(await a.ApiDeleteAsync($"/v2.0/floatingips/{Id(ofB)}"), HttpStatusCode.NotFound, "FloatingIPNotFound");

        // Another project's port it cannot see does not exist for the caller (Neutron's get_port under the caller's context)...
        AssertNeutronError(await b.ApiPutAsync($"/v2.0/floatingips/{Id(ofB)}", $$$"""{"floatingip": {"port_id": "{{{Id(mine.Port)}}}"}}"""),
            HttpStatusCode.NotFound, "PortNotFound");
        AssertNeutronError(await b.ApiPostAsync("/v2.0/floatingips",
            $$$"""{"floatingip": {"floating_network_id": "{{{publicNetwork}}}", "port_id": "{{{Id(mine.Port)}}}"}}"""), HttpStatusCode.NotFound, "PortNotFound");
        AssertNeutronError(await a.ApiPutAsync($"/v2.0/floatingips/{Id(ofA)}", $$$"""{"floatingip": {"port_id": "{{{Id(theirs.Port)}}}"}}"""),
            HttpStatusCode.NotFound, "PortNotFound");
        // ...and one it sees but does not own is refused, as Neutron's _internal_fip_assoc_data does for a non-admin.
        var foreign = await a.ApiPutAsync($"/v2.0/floatingips/{Id(ofA)}", $$$"""{"floatingip": {"port_id": "{{{Id(guest)}}}"}}""");
        AssertNeutronError(foreign, HttpStatusCode.BadRequest, "BadRequest");
        Assert.Contains("owned by a different tenant", foreign.Json["NeutronError"]!["message"]!.GetValue<string>());
        AssertNeutronError(await a.ApiPostAsync("/v2.0/floatingips",
            $$$"""{"floatingip": {"floating_network_id": "{{{publicNetwork}}}", "port_id": "{{{Id(guest)}}}"}}"""), HttpStatusCode.BadRequest, "BadRequest");
        Assert.Equal(before, await StoredFloatingIpsAsync(admin));

        // Each still changes and deletes its own.
        var moved = await b.ApiPutAsync($"/v2.0/floatingips/{Id(ofB)}", $$$"""{"floatingip": {"port_id": "{{{Id(theirs.Port)}}}"}}""");
        Assert.True(moved.Status == HttpStatusCode.OK, moved.Raw);
        Assert.Equal(Id(theirs.Port), moved.Json["floatingip"]!["port_id"]!.GetValue<string>());
        foreach (var (client, own) in new[] { (a, ofA), (b, ofB) })
        {
            Assert.Equal(HttpStatusCode.NoContent, (await client.ApiDeleteAsync($"/v2.0/floatingips/{Id(own)}")).Status);
        }

        Assert.Equal(HttpStatusCode.NoContent, (await b.ApiDeleteAsync($"/v2.0/ports/{Id(guest)}")).Status);
        foreach (var (client, own) in new[] { (a, mine), (b, theirs) })
        {
            Assert.Equal(HttpStatusCode.NoContent, (await client.ApiDeleteAsync($"/v2.0/ports/{Id(own.Port)}")).Status);
            Assert.Equal(HttpStatusCode.NoContent, (await client.ApiDeleteAsync($"/v2.0/networks/{Id(own.Network)}")).Status);
        }
    }

    /// <summary>Every floating IP and every port holding one, as the admin role sees them: what a refused call must leave alone.</summary>
    private static async Task<string> StoredFloatingIpsAsync(HttpClient admin)
    {
        var floatingIps = await admin.ApiGetAsync("/v2.0/floatingips");
        var ports = await admin.ApiGetAsync("/v2.0/ports?device_owner=network:floatingip");
        Assert.Equal(HttpStatusCode.OK, floatingIps.Status);
        Assert.Equal(HttpStatusCode.OK, ports.Status);
        return floatingIps.Raw + ports.Raw;
    }

    [Fact]
    public async Task Get_WhenKeystoneStops_Is503InNeutronsFormat()
    {
        using var client = fixture.Cloud.NetworkClientWith(await fixture.TokenAsync(KeystoneFixture.ProjectB, "reader"));
        await fixture.Keystone.StopAsync();
        try
        {
            AssertNeutronError(await client.ApiGetAsync("/v2.0/networks"), HttpStatusCode.ServiceUnavailable, "HTTPServiceUnavailable");
        }
        finally
        {
            await fixture.Keystone.ResumeAsync(TestContext.Current.CancellationToken);
        }

        Assert.Equal(HttpStatusCode.OK, (await client.ApiGetAsync("/v2.0/networks")).Status);
    }

    private sealed record TenantNetwork(JsonNode Network, JsonNode Subnet, JsonNode Port);

    private static async Task<TenantNetwork> CreateTenantNetworkAsync(HttpClient client, string cidr)
    {
        var network = await CreateAsync(client, "networks", "network", $$$"""{"network": {"name": "{{{Unique("net")}}}"}}""");
        var subnet = await CreateAsync(client, "subnets", "subnet",
            $$$"""{"subnet": {"network_id": "{{{Id(network)}}}", "cidr": "{{{cidr}}}", "ip_version": 4, "name": "{{{Unique("sub")}}}"}}""");
        var port = await CreateAsync(client, "ports", "port", $$$"""{"port": {"network_id": "{{{Id(network)}}}", "name": "{{{Unique("port")}}}"}}""");
        return new TenantNetwork(network, subnet, port);
    }

    private static async Task<JsonNode> CreateAsync(HttpClient client, string collection, string resource, string body)
    {
        var response = await client.ApiPostAsync("/v2.0/" + collection, body);
        Assert.True(response.Status == HttpStatusCode.Created, $"{response.Status} {response.Raw}");
        return response.Json[resource]!;
    }

    private static void AssertNeutronError(ApiResponse response, HttpStatusCode status, string type)
    {
        Assert.True(response.Status == status, $"expected {status}, got {response.Status} {response.Raw}");
        Assert.Equal(type, response.Json["NeutronError"]!["type"]!.GetValue<string>());
    }

    private static string Id(JsonNode node) => node["id"]!.GetValue<string>();

    private static List<string> Ids(ApiResponse list, string collection)
    {
        Assert.True(list.Status == HttpStatusCode.OK, $"{list.Status} {list.Raw}");
        return list.Json[collection]!.AsArray().Select(n => Id(n!)).ToList();
    }

    private static List<string> Names(ApiResponse list, string collection) =>
        list.Json[collection]!.AsArray().Select(n => n!["name"]!.GetValue<string>()).ToList();
}
