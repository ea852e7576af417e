using System.Net;
using System.Text.Json;
using Octavia.Api.Tests.Infrastructure;

namespace Octavia.Api.Tests.Resources;

/// <summary>Availability zone profiles and availability zones (reference/api.md §13.4, §13.5).</summary>
public abstract class AvailabilityZoneTests(OctaviaFixture fixture)
{
    private const string NilUuid = "00000000-0000-0000-0000-000000000000";

    private HttpClient Client => fixture.Client;

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private static string ProfileBody(string name, string provider, string data) =>
        JsonSerializer.Serialize(new { availability_zone_profile = new { name, provider_name = provider, availability_zone_data = data } });

    private async Task<string> CreateProfileAsync(string data = """{"compute_zone": "nova"}""")
    {
        var response = await Client.ApiPostAsync("/v2/lbaas/availabilityzoneprofiles", ProfileBody(Unique("azp"), "amphora", data));
        Assert.Equal(HttpStatusCode.Created, response.Status);
        return response.Json["availability_zone_profile"]!["id"]!.GetValue<string>();
    }

    private async Task<string> CreateZoneAsync(string profileId, bool enabled = true)
    {
        var name = Unique("az");
        var response = await Client.ApiPostAsync("/v2/lbaas/availabilityzones",
            JsonSerializer.Serialize(new { availability_zone = new { name, availability_zone_profile_id = profileId, enabled } }));
        Assert.Equal(HttpStatusCode.Created, response.Status);
        return name;
    }

    [Fact]
    public async Task Profile_Crud_RoundTrips()
    {
        var data = """{"compute_zone": "nova", "valid_vip_networks": ["n1"], "management_network": "m"}""";
        var created = await Client.ApiPostAsync("/v2/lbaas/availabilityzoneprofiles", ProfileBody(Unique("azp"), "amphora", data));
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var profile = created.Json["availability_zone_profile"]!.AsObject();
        Assert.Equal(["id", "name", "provider_name", "availability_zone_data"], profile.Select(p => p.Key).ToArray());
        var id = profile["id"]!.GetValue<string>();

        var list = await Client.ApiGetAsync($"/v2/lbaas/availabilityzoneprofiles?id={id}");
        Assert.Single(list.Json["availability_zone_profiles"]!.AsArray());
        Assert.NotNull(list.Json["availability_zone_profile_links"]);

        var update = await Client.ApiPutAsync($"/v2/lbaas/availabilityzoneprofiles/{id}",
            """{"availability_zone_profile": {"availability_zone_data": "{\"volume_zone\": \"v\"}"}}""");
        Assert.Equal(HttpStatusCode.OK, update.Status);
        Assert.Equal("""{"volume_zone": "v"}""", update.Json["availability_zone_profile"]!["availability_zone_data"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NoContent, (await Client.ApiDeleteAsync($"/v2/lbaas/availabilityzoneprofiles/{id}")).Status);
        var gone = await Client.ApiGetAsync($"/v2/lbaas/availabilityzoneprofiles/{id}");
        Assert.Equal($"Availability Zone Profile {id} not found.", gone.Fault);
    }

    [Theory]
    [InlineData("""{"compute_zone": 5}""", 501, "Provider 'amphora' does not support a requested option: compute_zone 5 is not of type 'string'")]
    [InlineData("""{"valid_vip_networks": "n1"}""", 501, "Provider 'amphora' does not support a requested option: valid_vip_networks 'n1' is not of type 'array'")]
    [InlineData("""{"loadbalancer_topology": "SINGLE"}""", 501, "Provider 'amphora' does not support a requested option: Additional properties are not allowed ('loadbalancer_topology' was unexpected)")]
    [InlineData("{", 400, "{ is not a valid option for availability_zone_data")]
    public async Task Profile_Create_InvalidData_IsRefused(string data, int status, string fault)
    {
        var response = await Client.ApiPostAsync("/v2/lbaas/availabilityzoneprofiles", ProfileBody("bad", "amphora", data));
        Assert.Equal(status, (int)response.Status);
        Assert.Equal(fault, response.Fault);
    }

    [Fact]
    public async Task Profile_InUse_IsProtected_AndNullsRefused()
    {
        var profileId = await CreateProfileAsync();
        await CreateZoneAsync(profileId);
        var update = await Client.ApiPutAsync($"/v2/lbaas/availabilityzoneprofiles/{profileId}", """{"availability_zone_profile": {"provider_name": "noop_driver"}}""");
        Assert.Equal(HttpStatusCode.Conflict, update.Status);
        Assert.Equal($"Availability Zone Profile {profileId} is in use and cannot be modified.", update.Fault);
        var delete = await Client.ApiDeleteAsync($"/v2/lbaas/availabilityzoneprofiles/{profileId}");
        Assert.Equal(HttpStatusCode.Conflict, delete.Status);
        var nullName = await Client.ApiPutAsync($"/v2/lbaas/availabilityzoneprofiles/{profileId}", """{"availability_zone_profile": {"name": null}}""");
        Assert.Equal("None is not a valid option for name", nullName.Fault);
    }

    [Fact]
    public async Task Zone_Crud_RoundTrips_KeyedByName()
    {
        var profileId = await CreateProfileAsync();
        var name = Unique("az");
        var created = await Client.ApiPostAsync("/v2/lbaas/availabilityzones",
            JsonSerializer.Serialize(new { availability_zone = new { name, description = "first", availability_zone_profile_id = profileId } }));
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var zone = created.Json["availability_zone"]!.AsObject();
        Assert.Equal(["name", "description", "enabled", "availability_zone_profile_id"], zone.Select(p => p.Key).ToArray());
        Assert.True(zone["enabled"]!.GetValue<bool>());

        var get = await Client.ApiGetAsync($"/v2/lbaas/availabilityzones/{name}");
        Assert.Equal("first", get.Json["availability_zone"]!["description"]!.GetValue<string>());

        var update = await Client.ApiPutAsync($"/v2/lbaas/availabilityzones/{name}", """{"availability_zone": {"description": null, "enabled": false}}""");
        Assert.Equal(HttpStatusCode.OK, update.Status);
        Assert.Equal("", update.Json["availability_zone"]!["description"]!.GetValue<string>());
        Assert.False(update.Json["availability_zone"]!["enabled"]!.GetValue<bool>());

        var rename = await Client.ApiPutAsync($"/v2/lbaas/availabilityzones/{name}", """{"availability_zone": {"name": "other"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, rename.Status);
        Assert.Contains("name", rename.Fault, StringComparison.Ordinal);

        var list = await Client.ApiGetAsync($"/v2/lbaas/availabilityzones?availability_zone_profile_id={profileId}&fields=name");
        Assert.Equal(name, list.Json["availability_zones"]!.AsArray().Single()!["name"]!.GetValue<string>());
        Assert.Empty(list.Json["availability_zones_links"]!.AsArray());

        Assert.Equal(HttpStatusCode.NoContent, (await Client.ApiDeleteAsync($"/v2/lbaas/availabilityzones/{name}")).Status);
        var gone = await Client.ApiGetAsync($"/v2/lbaas/availabilityzones/{name}");
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
        Assert.Equal($"Availability Zone {name} not found.", gone.Fault);
    }

    [Fact]
    public async Task Zone_List_PaginatesByName()
    {
        var profileId = await CreateProfileAsync();
        var names = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            names.Add(await CreateZoneAsync(profileId));
        }

        names.Sort(StringComparer.Ordinal);
        var page1 = await Client.ApiGetAsync($"/v2/lbaas/availabilityzones?availability_zone_profile_id={profileId}&limit=2");
        Assert.Equal(names.Take(2), page1.Json["availability_zones"]!.AsArray().Select(z => z!["name"]!.GetValue<string>()));
        var next = page1.Json["availability_zones_links"]!.AsArray().Single()!["href"]!.GetValue<string>();
        Assert.Contains($"marker={names[1]}", next, StringComparison.Ordinal);
        var page2 = await Client.ApiGetAsync(new Uri(next).PathAndQuery + $"&availability_zone_profile_id={profileId}");
        Assert.Equal(names[2], page2.Json["availability_zones"]!.AsArray().Single()!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Zone_Create_Refusals_AndNilUuid()
    {
        var profileId = await CreateProfileAsync();
        var name = await CreateZoneAsync(profileId);
        var duplicate = await Client.ApiPostAsync("/v2/lbaas/availabilityzones",
            JsonSerializer.Serialize(new { availability_zone = new { name, availability_zone_profile_id = profileId } }));
        Assert.Equal(HttpStatusCode.Conflict, duplicate.Status);
        Assert.Equal($"A availability zone of {name} already exists.", duplicate.Fault);

        var missing = Guid.NewGuid().ToString();
        var noProfile = await Client.ApiPostAsync("/v2/lbaas/availabilityzones",
            JsonSerializer.Serialize(new { availability_zone = new { name = Unique("az"), availability_zone_profile_id = missing } }));
        Assert.Equal(HttpStatusCode.BadRequest, noProfile.Status);
        Assert.Equal($"Availability Zone Profile {missing} not found.", noProfile.Fault);

        var noId = await Client.ApiPostAsync("/v2/lbaas/availabilityzones", """{"availability_zone": {"name": "x"}}""");
        Assert.Contains("availability_zone_profile_id", noId.Fault, StringComparison.Ordinal);

        foreach (var path in new[] { "availabilityzones", "availabilityzoneprofiles" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await Client.ApiGetAsync($"/v2/lbaas/{path}/{NilUuid}")).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await Client.ApiDeleteAsync($"/v2/lbaas/{path}/{NilUuid}")).Status);
        }

        Assert.Equal($"Availability Zone {NilUuid} not found.", (await Client.ApiGetAsync($"/v2/lbaas/availabilityzones/{NilUuid}")).Fault);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.ApiPutAsync($"/v2/lbaas/availabilityzones/{NilUuid}", """{"availability_zone": {"enabled": true}}""")).Status);
    }

    [Fact]
    public async Task LoadBalancer_InZone_BlocksZoneDelete_UntilDeleted()
    {
        var profileId = await CreateProfileAsync();
        var zone = await CreateZoneAsync(profileId);
        var lbId = await Client.CreateLoadBalancerAsync("zoned", $", \"availability_zone\": \"{zone}\"");
        var lb = await Client.ApiGetAsync($"/v2/lbaas/loadbalancers/{lbId}");
        Assert.Equal(zone, lb.Json["loadbalancer"]!["availability_zone"]!.GetValue<string>());

        var inUse = await Client.ApiDeleteAsync($"/v2/lbaas/availabilityzones/{zone}");
        Assert.Equal(HttpStatusCode.Conflict, inUse.Status);
        Assert.Equal($"Availability Zone {zone} is in use and cannot be modified.", inUse.Fault);

        await Client.ApiDeleteAsync($"/v2/lbaas/loadbalancers/{lbId}");
        await Client.WaitForStableAsync($"/v2/lbaas/loadbalancers/{lbId}", "loadbalancer");
        Assert.Equal(HttpStatusCode.NoContent, (await Client.ApiDeleteAsync($"/v2/lbaas/availabilityzones/{zone}")).Status);
    }

    [Fact]
    public async Task LoadBalancer_WithUnknownOrDisabledZone_IsRefused()
    {
        var unknown = await Client.ApiPostAsync("/v2/lbaas/loadbalancers",
            """{"loadbalancer": {"vip_subnet_id": "8a2b7c1e-4d3f-4a5b-9c6d-7e8f9a0b1c2d", "availability_zone": "nowhere"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.Status);
        Assert.Equal("Validation failure: Invalid availability zone.", unknown.Fault);

        var zone = await CreateZoneAsync(await CreateProfileAsync(), enabled: false);
        var disabled = await Client.ApiPostAsync("/v2/lbaas/loadbalancers",
            "{\"loadbalancer\": {\"vip_subnet_id\": \"8a2b7c1e-4d3f-4a5b-9c6d-7e8f9a0b1c2d\", \"availability_zone\": \"" + zone + "\"}}");
        Assert.Equal(HttpStatusCode.BadRequest, disabled.Status);
        Assert.Equal($"The selected availability_zone is not allowed in this deployment: {zone}", disabled.Fault);
    }
}

public sealed class AvailabilityZoneSqliteTests(SqliteFixture fixture) : AvailabilityZoneTests(fixture), IClassFixture<SqliteFixture>;

public sealed class AvailabilityZonePostgresTests(PostgresFixture fixture) : AvailabilityZoneTests(fixture), IClassFixture<PostgresFixture>;
