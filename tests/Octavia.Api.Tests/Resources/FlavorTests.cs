using System.Net;
using System.Text.Json;
using Octavia.Api.Tests.Infrastructure;

namespace Octavia.Api.Tests.Resources;

/// <summary>Flavor profiles and flavors (reference/api.md §13.2, §13.3), and load balancers created with a flavor.</summary>
public abstract class FlavorTests(OctaviaFixture fixture)
{
    private const string NilUuid = "00000000-0000-0000-0000-000000000000";

    private HttpClient Client => fixture.Client;

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private static string ProfileBody(string name, string provider, string data) =>
        JsonSerializer.Serialize(new { flavorprofile = new { name, provider_name = provider, flavor_data = data } });

    private async Task<string> CreateProfileAsync(string data = """{"loadbalancer_topology": "SINGLE"}""", string provider = "amphora")
    {
        var response = await Client.ApiPostAsync("/v2/lbaas/flavorprofiles", ProfileBody(Unique("fp"), provider, data));
        Assert.Equal(HttpStatusCode.Created, response.Status);
        return response.Json["flavorprofile"]!["id"]!.GetValue<string>();
    }

    private async Task<string> CreateFlavorAsync(string profileId, string? name = null, bool enabled = true)
    {
        var response = await Client.ApiPostAsync("/v2/lbaas/flavors",
            JsonSerializer.Serialize(new { flavor = new { name = name ?? Unique("f"), flavor_profile_id = profileId, enabled } }));
        Assert.Equal(HttpStatusCode.Created, response.Status);
        return response.Json["flavor"]!["id"]!.GetValue<string>();
    }

    [Fact]
    public async Task Profile_Crud_RoundTrips()
    {
        var name = Unique("fp");
        var data = """{"loadbalancer_topology": "ACTIVE_STANDBY", "compute_flavor": "m1", "sriov_vip": false}""";
        var created = await Client.ApiPostAsync("/v2/lbaas/flavorprofiles", ProfileBody(name, "amphora", data));
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var profile = created.Json["flavorprofile"]!.AsObject();
        Assert.Equal(["id", "name", "provider_name", "flavor_data"], profile.Select(p => p.Key).ToArray());
        Assert.Equal(data, profile["flavor_data"]!.GetValue<string>());
        var id = profile["id"]!.GetValue<string>();

        var get = await Client.ApiGetAsync($"/v2/lbaas/flavorprofiles/{id}?fields=name");
        Assert.Equal(["name"], get.Json["flavorprofile"]!.AsObject().Select(p => p.Key).ToArray());

        var update = await Client.ApiPutAsync($"/v2/lbaas/flavorprofiles/{id}",
            """{"flavorprofile": {"name": "renamed", "provider_name": "noop_driver", "flavor_data": "{\"anything\": 1}"}}""");
        Assert.Equal(HttpStatusCode.OK, update.Status);
        Assert.Equal("renamed", update.Json["flavorprofile"]!["name"]!.GetValue<string>());
        Assert.Equal("noop_driver", update.Json["flavorprofile"]!["provider_name"]!.GetValue<string>());

        var list = await Client.ApiGetAsync("/v2/lbaas/flavorprofiles?name=renamed");
        Assert.Contains(list.Json["flavorprofiles"]!.AsArray(), p => p!["id"]!.GetValue<string>() == id);
        Assert.NotNull(list.Json["flavorprofile_links"]);

        Assert.Equal(HttpStatusCode.NoContent, (await Client.ApiDeleteAsync($"/v2/lbaas/flavorprofiles/{id}")).Status);
        var gone = await Client.ApiGetAsync($"/v2/lbaas/flavorprofiles/{id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
        Assert.Equal($"Flavor Profile {id} not found.", gone.Fault);
    }

    [Theory]
    [InlineData("amphora", "not json", 400, "not json is not a valid option for flavor_data")]
    [InlineData("amphora", """{"bogus": 1}""", 501, "Provider 'amphora' does not support a requested option: Additional properties are not allowed ('bogus' was unexpected)")]
    [InlineData("amphora", """{"loadbalancer_topology": "TRIPLE"}""", 501, "Provider 'amphora' does not support a requested option: loadbalancer_topology 'TRIPLE' is not one of ['SINGLE', 'ACTIVE_STANDBY']")]
    [InlineData("amphora", """{"sriov_vip": "yes"}""", 501, "Provider 'amphora' does not support a requested option: sriov_vip 'yes' is not of type 'boolean'")]
    [InlineData("amphora", """[1]""", 501, "Provider 'amphora' does not support a requested option: [1] is not of type 'object'")]
    [InlineData("nope", "{}", 400, "Provider 'nope' is not enabled.")]
    public async Task Profile_Create_InvalidData_IsRefused(string provider, string data, int status, string fault)
    {
        var response = await Client.ApiPostAsync("/v2/lbaas/flavorprofiles", ProfileBody("bad", provider, data));
        Assert.Equal(status, (int)response.Status);
        Assert.Equal(fault, response.Fault);
    }

    [Theory]
    [InlineData("""{"flavorprofile": {"provider_name": "amphora", "flavor_data": "{}"}}""", "name")]
    [InlineData("""{"flavorprofile": {"name": "x", "flavor_data": "{}"}}""", "provider_name")]
    [InlineData("""{"flavorprofile": {"name": "x", "provider_name": "amphora"}}""", "flavor_data")]
    [InlineData("""{"flavorprofile": {"name": "x", "provider_name": "amphora", "flavor_data": "{}", "id": "y"}}""", "id")]
    public async Task Profile_Create_MissingOrUnknownField_Returns400(string body, string named)
    {
        var response = await Client.ApiPostAsync("/v2/lbaas/flavorprofiles", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Contains(named, response.Fault, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Profile_Create_DataTooLong_Returns400()
    {
        var data = "{\"compute_flavor\": \"" + new string('x', 4100) + "\"}";
        var response = await Client.ApiPostAsync("/v2/lbaas/flavorprofiles", ProfileBody("long", "amphora", data));
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Contains("flavor_data", response.Fault, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Profile_InUse_CannotChangeDataOrProviderOrBeDeleted_ButCanBeRenamed()
    {
        var profileId = await CreateProfileAsync();
        await CreateFlavorAsync(profileId);

        var data = await Client.ApiPutAsync($"/v2/lbaas/flavorprofiles/{profileId}", """{"flavorprofile": {"flavor_data": "{}"}}""");
        Assert.Equal(HttpStatusCode.Conflict, data.Status);
        Assert.Equal($"Flavor profile {profileId} is in use and cannot be modified.", data.Fault);
        var provider = await Client.ApiPutAsync($"/v2/lbaas/flavorprofiles/{profileId}", """{"flavorprofile": {"provider_name": "noop_driver"}}""");
        Assert.Equal(HttpStatusCode.Conflict, provider.Status);
        var delete = await Client.ApiDeleteAsync($"/v2/lbaas/flavorprofiles/{profileId}");
        Assert.Equal(HttpStatusCode.Conflict, delete.Status);
        Assert.Equal($"Flavor profile {profileId} is in use and cannot be modified.", delete.Fault);

        var rename = await Client.ApiPutAsync($"/v2/lbaas/flavorprofiles/{profileId}", """{"flavorprofile": {"name": "still-ok"}}""");
        Assert.Equal(HttpStatusCode.OK, rename.Status);
    }

    [Theory]
    [InlineData("name")]
    [InlineData("provider_name")]
    [InlineData("flavor_data")]
    public async Task Profile_Update_ExplicitNull_Returns400(string field)
    {
        var profileId = await CreateProfileAsync();
        var response = await Client.ApiPutAsync($"/v2/lbaas/flavorprofiles/{profileId}", "{\"flavorprofile\": {\"" + field + "\": null}}");
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal($"None is not a valid option for {field}", response.Fault);
    }

    [Fact]
    public async Task Profile_Update_DataValidatedAgainstStoredProvider()
    {
        var profileId = await CreateProfileAsync();
        var response = await Client.ApiPutAsync($"/v2/lbaas/flavorprofiles/{profileId}", """{"flavorprofile": {"flavor_data": "{\"x\": 1}"}}""");
        Assert.Equal(HttpStatusCode.NotImplemented, response.Status);
    }

    [Fact]
    public async Task NilUuid_Is404OnEveryVerb()
    {
        foreach (var (path, envelope, resource) in new[] { ("flavorprofiles", "flavorprofile", "Flavor profile"), ("flavors", "flavor", "Flavor") })
        {
            var get = await Client.ApiGetAsync($"/v2/lbaas/{path}/{NilUuid}");
            Assert.Equal(HttpStatusCode.NotFound, get.Status);
            Assert.Equal($"{resource} {NilUuid} not found.", get.Fault);
            var put = await Client.ApiPutAsync($"/v2/lbaas/{path}/{NilUuid}", "{\"" + envelope + "\": {\"name\": \"x\"}}");
            Assert.Equal(HttpStatusCode.NotFound, put.Status);
            var delete = await Client.ApiDeleteAsync($"/v2/lbaas/{path}/{NilUuid}");
            Assert.Equal(HttpStatusCode.NotFound, delete.Status);
        }
    }

    [Fact]
    public async Task Flavor_Crud_RoundTrips()
    {
        var profileId = await CreateProfileAsync();
        var name = Unique("gold");
        var created = await Client.ApiPostAsync("/v2/lbaas/flavors",
            JsonSerializer.Serialize(new { flavor = new { name, flavor_profile_id = profileId } }));
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var flavor = created.Json["flavor"]!.AsObject();
        Assert.Equal(["id", "name", "description", "enabled", "flavor_profile_id"], flavor.Select(p => p.Key).ToArray());
        Assert.Equal("", flavor["description"]!.GetValue<string>());
        Assert.True(flavor["enabled"]!.GetValue<bool>());
        var id = flavor["id"]!.GetValue<string>();

        var update = await Client.ApiPutAsync($"/v2/lbaas/flavors/{id}", """{"flavor": {"description": "fast", "enabled": false}}""");
        Assert.Equal(HttpStatusCode.OK, update.Status);
        Assert.Equal("fast", update.Json["flavor"]!["description"]!.GetValue<string>());
        Assert.False(update.Json["flavor"]!["enabled"]!.GetValue<bool>());

        var list = await Client.ApiGetAsync($"/v2/lbaas/flavors?name={name}");
        Assert.Equal(id, list.Json["flavors"]!.AsArray().Single()!["id"]!.GetValue<string>());
        Assert.Empty(list.Json["flavors_links"]!.AsArray());
        var disabled = await Client.ApiGetAsync($"/v2/lbaas/flavors?enabled=false&flavor_profile_id={profileId}");
        Assert.Single(disabled.Json["flavors"]!.AsArray());

        var readOnly = await Client.ApiPutAsync($"/v2/lbaas/flavors/{id}", "{\"flavor\": {\"flavor_profile_id\": \"" + profileId + "\"}}");
        Assert.Equal(HttpStatusCode.BadRequest, readOnly.Status);
        Assert.Contains("flavor_profile_id", readOnly.Fault, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await Client.ApiDeleteAsync($"/v2/lbaas/flavors/{id}")).Status);
        var gone = await Client.ApiGetAsync($"/v2/lbaas/flavors/{id}");
        Assert.Equal($"Flavor {id} not found.", gone.Fault);
    }

    [Fact]
    public async Task Flavor_List_PaginatesAndSorts()
    {
        var profileId = await CreateProfileAsync();
        for (var i = 0; i < 3; i++)
        {
            await CreateFlavorAsync(profileId, Unique($"page{i}"));
        }

        var page1 = await Client.ApiGetAsync($"/v2/lbaas/flavors?flavor_profile_id={profileId}&limit=2&sort=name:desc");
        var names = page1.Json["flavors"]!.AsArray().Select(f => f!["name"]!.GetValue<string>()).ToArray();
        Assert.Equal(2, names.Length);
        Assert.StartsWith("page2", names[0], StringComparison.Ordinal);
        var next = page1.Json["flavors_links"]!.AsArray().Single()!["href"]!.GetValue<string>();
        var page2 = await Client.ApiGetAsync(new Uri(next).PathAndQuery + $"&flavor_profile_id={profileId}");
        Assert.StartsWith("page0", page2.Json["flavors"]!.AsArray().Single()!["name"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Flavor_Create_Refusals()
    {
        var profileId = await CreateProfileAsync();
        var name = Unique("dup");
        await CreateFlavorAsync(profileId, name);
        var duplicate = await Client.ApiPostAsync("/v2/lbaas/flavors", JsonSerializer.Serialize(new { flavor = new { name, flavor_profile_id = profileId } }));
        Assert.Equal(HttpStatusCode.Conflict, duplicate.Status);
        Assert.Equal($"A flavor of {name} already exists.", duplicate.Fault);

        var missingProfile = Guid.NewGuid().ToString();
        var noProfile = await Client.ApiPostAsync("/v2/lbaas/flavors", JsonSerializer.Serialize(new { flavor = new { name = Unique("x"), flavor_profile_id = missingProfile } }));
        Assert.Equal(HttpStatusCode.BadRequest, noProfile.Status);
        Assert.Equal($"Flavor profile {missingProfile} not found.", noProfile.Fault);

        var noName = await Client.ApiPostAsync("/v2/lbaas/flavors", "{\"flavor\": {\"flavor_profile_id\": \"" + profileId + "\"}}");
        Assert.Equal(HttpStatusCode.BadRequest, noName.Status);
        Assert.Contains("name", noName.Fault, StringComparison.Ordinal);
        var badUuid = await Client.ApiPostAsync("/v2/lbaas/flavors", """{"flavor": {"name": "x", "flavor_profile_id": "nope"}}""");
        Assert.Contains("flavor_profile_id", badUuid.Fault, StringComparison.Ordinal);
        var longName = await Client.ApiPostAsync("/v2/lbaas/flavors", "{\"flavor\": {\"name\": \"" + new string('n', 256) + "\", \"flavor_profile_id\": \"" + profileId + "\"}}");
        Assert.Equal(HttpStatusCode.BadRequest, longName.Status);

        var other = await CreateFlavorAsync(profileId);
        var rename = await Client.ApiPutAsync($"/v2/lbaas/flavors/{other}", JsonSerializer.Serialize(new { flavor = new { name } }));
        Assert.Equal(HttpStatusCode.Conflict, rename.Status);
    }

    [Fact]
    public async Task LoadBalancer_WithActiveStandbyFlavor_GetsTwoAmphorae_AndFlavorCannotBeDeletedWhileUsed()
    {
        var profileId = await CreateProfileAsync("""{"loadbalancer_topology": "ACTIVE_STANDBY"}""");
        var flavorId = await CreateFlavorAsync(profileId);
        var lbId = await Client.CreateLoadBalancerAsync("flavored", $", \"flavor_id\": \"{flavorId}\"");

        var lb = await Client.ApiGetAsync($"/v2/lbaas/loadbalancers/{lbId}");
        Assert.Equal(flavorId, lb.Json["loadbalancer"]!["flavor_id"]!.GetValue<string>());
        Assert.Equal("amphora", lb.Json["loadbalancer"]!["provider"]!.GetValue<string>());
        var amphorae = await Client.ApiGetAsync($"/v2/octavia/amphorae?loadbalancer_id={lbId}&sort=role");
        Assert.Equal(["BACKUP", "MASTER"], amphorae.Json["amphorae"]!.AsArray().Select(a => a!["role"]!.GetValue<string>()).ToArray());

        var inUse = await Client.ApiDeleteAsync($"/v2/lbaas/flavors/{flavorId}");
        Assert.Equal(HttpStatusCode.Conflict, inUse.Status);
        Assert.Equal($"Flavor {flavorId} is in use and cannot be modified.", inUse.Fault);

        await Client.ApiDeleteAsync($"/v2/lbaas/loadbalancers/{lbId}");
        await Client.WaitForStableAsync($"/v2/lbaas/loadbalancers/{lbId}", "loadbalancer");
        Assert.Equal(HttpStatusCode.NoContent, (await Client.ApiDeleteAsync($"/v2/lbaas/flavors/{flavorId}")).Status);
    }

    [Fact]
    public async Task LoadBalancer_WithBadFlavor_IsRefused()
    {
        var unknown = await Client.ApiPostAsync("/v2/lbaas/loadbalancers",
            "{\"loadbalancer\": {\"vip_subnet_id\": \"8a2b7c1e-4d3f-4a5b-9c6d-7e8f9a0b1c2d\", \"flavor_id\": \"" + Guid.NewGuid() + "\"}}");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.Status);
        Assert.Equal("Validation failure: Invalid flavor_id.", unknown.Fault);

        var profileId = await CreateProfileAsync();
        var disabledId = await CreateFlavorAsync(profileId, enabled: false);
        var disabled = await Client.ApiPostAsync("/v2/lbaas/loadbalancers",
            "{\"loadbalancer\": {\"vip_subnet_id\": \"8a2b7c1e-4d3f-4a5b-9c6d-7e8f9a0b1c2d\", \"flavor_id\": \"" + disabledId + "\"}}");
        Assert.Equal(HttpStatusCode.BadRequest, disabled.Status);
        Assert.Equal($"The selected flavor is not allowed in this deployment: {disabledId}", disabled.Fault);

        var enabledId = await CreateFlavorAsync(profileId);
        var mismatch = await Client.ApiPostAsync("/v2/lbaas/loadbalancers",
            "{\"loadbalancer\": {\"vip_subnet_id\": \"8a2b7c1e-4d3f-4a5b-9c6d-7e8f9a0b1c2d\", \"provider\": \"noop_driver\", \"flavor_id\": \"" + enabledId + "\"}}");
        Assert.Equal(HttpStatusCode.BadRequest, mismatch.Status);
        Assert.Equal($"Flavor '{enabledId}' is not compatible with provider 'noop_driver'", mismatch.Fault);
    }
}

public sealed class FlavorSqliteTests(SqliteFixture fixture) : FlavorTests(fixture), IClassFixture<SqliteFixture>;

public sealed class FlavorPostgresTests(PostgresFixture fixture) : FlavorTests(fixture), IClassFixture<PostgresFixture>;
