using System.Net;
using Octavia.Api.Tests.Infrastructure;

namespace Octavia.Api.Tests.Resources;

/// <summary>Providers and their capabilities (reference/api.md §13.1, api-samples.txt [51], [52]).</summary>
public abstract class ProviderTests(OctaviaFixture fixture)
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task List_ReturnsEnabledProvidersWithDescriptions()
    {
        var response = await Client.ApiGetAsync("/v2/lbaas/providers");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        var providers = response.Json["providers"]!.AsArray();
        Assert.Equal(["amphora", "octavia", "noop_driver"], providers.Select(p => p!["name"]!.GetValue<string>()).ToArray());
        Assert.Equal("The Octavia Amphora driver.", providers[0]!["description"]!.GetValue<string>());
        Assert.Equal(["name", "description"], providers[0]!.AsObject().Select(p => p.Key).ToArray());
        Assert.Null(response.Json["providers_links"]);

        var names = await Client.ApiGetAsync("/v2/lbaas/providers?fields=name");
        Assert.Equal(["name"], names.Json["providers"]!.AsArray()[0]!.AsObject().Select(p => p.Key).ToArray());
    }

    [Fact]
    public async Task FlavorCapabilities_Amphora_ListsItsSchemaKeys()
    {
        var response = await Client.ApiGetAsync("/v2/lbaas/providers/amphora/flavor_capabilities");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        var caps = response.Json["flavor_capabilities"]!.AsArray();
        Assert.Equal(["loadbalancer_topology", "compute_flavor", "amp_image_tag", "sriov_vip", "allow_member_sriov"],
            caps.Select(c => c!["name"]!.GetValue<string>()).ToArray());
        Assert.Equal("The load balancer topology. One of: SINGLE - One amphora per load balancer. ACTIVE_STANDBY - Two amphora per load balancer.",
            caps[0]!["description"]!.GetValue<string>());
        Assert.Equal("The compute driver flavor ID.", caps[1]!["description"]!.GetValue<string>());
        Assert.Equal("The amphora image tag.", caps[2]!["description"]!.GetValue<string>());

        var byName = await Client.ApiGetAsync("/v2/lbaas/providers/amphora/flavor_capabilities?name=compute_flavor");
        Assert.Equal("compute_flavor", byName.Json["flavor_capabilities"]!.AsArray().Single()!["name"]!.GetValue<string>());
        var byDescription = await Client.ApiGetAsync("/v2/lbaas/providers/amphora/flavor_capabilities?description=The%20amphora%20image%20tag.");
        Assert.Equal("amp_image_tag", byDescription.Json["flavor_capabilities"]!.AsArray().Single()!["name"]!.GetValue<string>());
        var none = await Client.ApiGetAsync("/v2/lbaas/providers/amphora/flavor_capabilities?name=nope");
        Assert.Empty(none.Json["flavor_capabilities"]!.AsArray());
        var fields = await Client.ApiGetAsync("/v2/lbaas/providers/amphora/flavor_capabilities?fields=name");
        Assert.Equal(["name"], fields.Json["flavor_capabilities"]!.AsArray()[0]!.AsObject().Select(p => p.Key).ToArray());
    }

    [Fact]
    public async Task AvailabilityZoneCapabilities_AmphoraAndNoop()
    {
        var amphora = await Client.ApiGetAsync("/v2/lbaas/providers/octavia/availability_zone_capabilities");
        Assert.Equal(HttpStatusCode.OK, amphora.Status);
        Assert.Equal(["compute_zone", "volume_zone", "management_network", "valid_vip_networks"],
            amphora.Json["availability_zone_capabilities"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).ToArray());

        var noop = await Client.ApiGetAsync("/v2/lbaas/providers/noop_driver/availability_zone_capabilities");
        Assert.Equal(["compute_zone"], noop.Json["availability_zone_capabilities"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).ToArray());
        var noopFlavor = await Client.ApiGetAsync("/v2/lbaas/providers/noop_driver/flavor_capabilities");
        Assert.Equal(["amp_image_tag"], noopFlavor.Json["flavor_capabilities"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).ToArray());
    }

    [Fact]
    public async Task Capabilities_ProviderNotEnabled_Returns400()
    {
        var response = await Client.ApiGetAsync("/v2/lbaas/providers/ovn/flavor_capabilities");
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("Provider 'ovn' is not enabled.", response.Fault);
        var az = await Client.ApiGetAsync("/v2/lbaas/providers/ovn/availability_zone_capabilities");
        Assert.Equal("Provider 'ovn' is not enabled.", az.Fault);
    }
}

public sealed class ProviderSqliteTests(SqliteFixture fixture) : ProviderTests(fixture), IClassFixture<SqliteFixture>;

public sealed class ProviderPostgresTests(PostgresFixture fixture) : ProviderTests(fixture), IClassFixture<PostgresFixture>;

/// <summary>A provider enabled in the configuration but not shipped by this build is "not found" (501).</summary>
public sealed class ProviderNotInstalledTests(ProviderNotInstalledTests.Fixture fixture) : IClassFixture<ProviderNotInstalledTests.Fixture>
{
    public sealed class Fixture : OctaviaFixture
    {
        protected override bool UsePostgres => false;

        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["api_settings:enabled_provider_drivers"] = "amphora:The Octavia Amphora driver.,ovn:The OVN driver.",
        };
    }

    [Fact]
    public async Task Capabilities_EnabledButNotInstalled_Returns501()
    {
        var response = await fixture.Client.ApiGetAsync("/v2/lbaas/providers/ovn/flavor_capabilities");
        Assert.Equal(HttpStatusCode.NotImplemented, response.Status);
        Assert.Equal("Provider 'ovn' was not found.", response.Fault);
        var list = await fixture.Client.ApiGetAsync("/v2/lbaas/providers");
        Assert.Equal(["amphora", "ovn"], list.Json["providers"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()).ToArray());
    }
}
