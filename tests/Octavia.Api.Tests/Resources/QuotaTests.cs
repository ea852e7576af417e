using System.Net;
using Octavia.Api.Tests.Infrastructure;

namespace Octavia.Api.Tests.Resources;

/// <summary>Quotas (reference/api.md §12, api-samples.txt [48]-[50]), with a non-default listener quota configured.</summary>
public abstract class QuotaTests(OctaviaFixture fixture)
{
    private static readonly string[] EffectiveKeys = ["load_balancer", "listener", "member", "pool", "health_monitor", "l7policy", "l7rule"];

    private HttpClient Client => fixture.Client;

    private static string NewProject() => "q-" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task Get_ProjectWithoutRow_ReturnsDefaultsInSampleShape()
    {
        var response = await Client.ApiGetAsync($"/v2/lbaas/quotas/{NewProject()}");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        var quota = response.Json["quota"]!.AsObject();
        Assert.Equal(EffectiveKeys, quota.Select(p => p.Key).ToArray());
        Assert.Equal(-1, quota["load_balancer"]!.GetValue<int>());
        Assert.Equal(7, quota["listener"]!.GetValue<int>());
    }

    [Fact]
    public async Task GetDefault_AndDocumentedDefaultsPath_ReturnConfiguredDefaults()
    {
        var project = NewProject();
        await Client.ApiPutAsync($"/v2/lbaas/quotas/{project}", """{"quota": {"listener": 3}}""");
        foreach (var path in new[] { $"/v2/lbaas/quotas/{project}/default", "/v2/lbaas/quotas/defaults" })
        {
            var response = await Client.ApiGetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.Status);
            var quota = response.Json["quota"]!.AsObject();
            Assert.Equal(EffectiveKeys, quota.Select(p => p.Key).ToArray());
            Assert.Equal(7, quota["listener"]!.GetValue<int>());
            Assert.Equal(-1, quota["l7rule"]!.GetValue<int>());
        }
    }

    [Fact]
    public async Task Put_Returns202WithEffectiveValues_NullMeansDefault_BothSpellingsAccepted()
    {
        var project = NewProject();
        var response = await Client.ApiPutAsync($"/v2/lbaas/quotas/{project}",
            """{"quota": {"loadbalancer": 5, "health_monitor": 4, "pool": 0, "member": 2000000000, "listener": 9}}""");
        Assert.Equal(HttpStatusCode.Accepted, response.Status);
        var quota = response.Json["quota"]!;
        Assert.Equal(5, quota["load_balancer"]!.GetValue<int>());
        Assert.Equal(4, quota["health_monitor"]!.GetValue<int>());
        Assert.Equal(0, quota["pool"]!.GetValue<int>());
        Assert.Equal(2000000000, quota["member"]!.GetValue<int>());
        Assert.Equal(9, quota["listener"]!.GetValue<int>());

        var update = await Client.ApiPutAsync($"/v2/lbaas/quotas/{project}", """{"quota": {"listener": null, "load_balancer": 6, "healthmonitor": 8}}""");
        Assert.Equal(7, update.Json["quota"]!["listener"]!.GetValue<int>());
        Assert.Equal(6, update.Json["quota"]!["load_balancer"]!.GetValue<int>());
        Assert.Equal(8, update.Json["quota"]!["health_monitor"]!.GetValue<int>());

        var get = await Client.ApiGetAsync($"/v2/lbaas/quotas/{project}");
        Assert.Equal(6, get.Json["quota"]!["load_balancer"]!.GetValue<int>());
        Assert.Equal(0, get.Json["quota"]!["pool"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("""{"quota": {"listener": -2}}""", "listener")]
    [InlineData("""{"quota": {"pool": 2000000001}}""", "pool")]
    [InlineData("""{"quota": {"member": "five"}}""", "member")]
    [InlineData("""{"quota": {"bogus": 1}}""", "bogus")]
    [InlineData("""{"quotas": {"pool": 1}}""", "quotas")]
    public async Task Put_BadValue_Returns400NamingIt(string body, string named)
    {
        var response = await Client.ApiPutAsync($"/v2/lbaas/quotas/{NewProject()}", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Contains(named, response.Fault, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_ResetsToDefaults_AndUnknownProjectIs404()
    {
        var project = NewProject();
        await Client.ApiPutAsync($"/v2/lbaas/quotas/{project}", """{"quota": {"listener": 1, "l7rule": 3}}""");
        var delete = await Client.ApiDeleteAsync($"/v2/lbaas/quotas/{project}");
        Assert.Equal(HttpStatusCode.Accepted, delete.Status);
        Assert.Equal("", delete.Raw);
        var get = await Client.ApiGetAsync($"/v2/lbaas/quotas/{project}");
        Assert.Equal(7, get.Json["quota"]!["listener"]!.GetValue<int>());
        Assert.Equal(-1, get.Json["quota"]!["l7rule"]!.GetValue<int>());

        var unknown = NewProject();
        var missing = await Client.ApiDeleteAsync($"/v2/lbaas/quotas/{unknown}");
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal($"Quotas {unknown} not found.", missing.Fault);
    }

    [Fact]
    public async Task List_ShowsStoredValuesOfProjectsWithRows_FiltersAndPaginates()
    {
        var projects = new[] { NewProject(), NewProject(), NewProject() };
        foreach (var project in projects)
        {
            await Client.ApiPutAsync($"/v2/lbaas/quotas/{project}", """{"quota": {"loadbalancer": 2}}""");
        }

        var one = await Client.ApiGetAsync($"/v2/lbaas/quotas?project_id={projects[0]}");
        var item = one.Json["quotas"]!.AsArray().Single()!.AsObject();
        Assert.Equal(
            ["project_id", "loadbalancer", "load_balancer", "listener", "member", "pool", "healthmonitor", "health_monitor", "l7policy", "l7rule", "tenant_id"],
            item.Select(p => p.Key).ToArray());
        Assert.Equal(2, item["loadbalancer"]!.GetValue<int>());
        Assert.Equal(2, item["load_balancer"]!.GetValue<int>());
        Assert.Null(item["listener"]);
        Assert.Equal(projects[0], item["tenant_id"]!.GetValue<string>());
        Assert.Empty(one.Json["quotas_links"]!.AsArray());

        var sorted = projects.Order(StringComparer.Ordinal).ToArray();
        var page = await Client.ApiGetAsync($"/v2/lbaas/quotas?limit=1&marker={sorted[0]}");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        var next = page.Json["quotas"]!.AsArray().Single()!["project_id"]!.GetValue<string>();
        Assert.True(string.CompareOrdinal(next, sorted[0]) > 0);
        var links = page.Json["quotas_links"]!.AsArray().Select(l => l!["rel"]!.GetValue<string>()).ToArray();
        Assert.Contains("next", links);
        Assert.Contains("previous", links);

        var fields = await Client.ApiGetAsync($"/v2/lbaas/quotas?project_id={projects[1]}&fields=project_id&fields=pool");
        Assert.Equal(["project_id", "pool"], fields.Json["quotas"]!.AsArray().Single()!.AsObject().Select(p => p.Key).ToArray());

        var bad = await Client.ApiGetAsync("/v2/lbaas/quotas?bogus=1");
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
    }

    [Fact]
    public async Task LoadBalancerQuota_IsEnforcedOnCreate_AndDeleteResetsIt()
    {
        var project = NewProject();
        var put = await Client.ApiPutAsync($"/v2/lbaas/quotas/{project}", """{"quota": {"loadbalancer": 1}}""");
        Assert.Equal(HttpStatusCode.Accepted, put.Status);
        await Client.CreateLoadBalancerAsync("quota1", project: project);

        var second = await Client.ApiPostAsync("/v2/lbaas/loadbalancers",
            "{\"loadbalancer\": {\"vip_subnet_id\": \"8a2b7c1e-4d3f-4a5b-9c6d-7e8f9a0b1c2d\", \"project_id\": \"" + project + "\"}}");
        Assert.Equal(HttpStatusCode.Forbidden, second.Status);
        Assert.Equal("Quota has been met for resources: Load Balancer", second.Fault);

        Assert.Equal(HttpStatusCode.Accepted, (await Client.ApiDeleteAsync($"/v2/lbaas/quotas/{project}")).Status);
        await Client.CreateLoadBalancerAsync("quota2", project: project);
    }
}

public sealed class QuotaSqliteFixture : OctaviaFixture
{
    protected override bool UsePostgres => false;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["quotas:default_listener_quota"] = "7" };
}

public sealed class QuotaPostgresFixture : OctaviaFixture
{
    protected override bool UsePostgres => true;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["quotas:default_listener_quota"] = "7" };
}

public sealed class QuotaSqliteTests(QuotaSqliteFixture fixture) : QuotaTests(fixture), IClassFixture<QuotaSqliteFixture>;

public sealed class QuotaPostgresTests(QuotaPostgresFixture fixture) : QuotaTests(fixture), IClassFixture<QuotaPostgresFixture>;
