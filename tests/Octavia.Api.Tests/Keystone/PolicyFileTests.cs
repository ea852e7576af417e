using System.Net;
using Octavia.Api.Tests.Infrastructure;

namespace Octavia.Api.Tests.Keystone;

/// <summary>An operator's <c>[oslo_policy] policy_file</c> on a running API: named rules replaced, the rest left as upstream's defaults.</summary>
[Collection(KeystoneCollection.Name)]
public sealed class PolicyFileTests(KeystoneFixture fixture)
{
    [Fact]
    public async Task PolicyFile_OverridesNamedRules_OthersKeepTheirDefaults()
    {
        var path = Path.Combine(Path.GetTempPath(), "octavia-policy-" + Guid.NewGuid().ToString("N")[..8] + ".yaml");
        await File.WriteAllTextAsync(path, """
            # Only quota admins may list load balancers; readers may list flavor profiles.
            "os_load-balancer_api:loadbalancer:get_all": "role:load-balancer_quota_admin and project_id:%(project_id)s"
            "os_load-balancer_api:flavor-profile:get_all": "role:reader or rule:load-balancer:admin"
            """, TestContext.Current.CancellationToken);
        try
        {
            await using var octavia = await fixture.StartOctaviaAsync(new Dictionary<string, string?> { ["oslo_policy:policy_file"] = path });
            using var reader = octavia.ClientWith(await RbacTokens.GetAsync(fixture, KeystoneFixture.ProjectA, "reader"));
            using var quotaAdmin = octavia.ClientWith(await RbacTokens.GetAsync(fixture, KeystoneFixture.ProjectA, "load-balancer_quota_admin"));

            Assert.Equal(HttpStatusCode.Forbidden, (await reader.ApiGetAsync("/v2/lbaas/loadbalancers")).Status);
            Assert.Equal(HttpStatusCode.OK, (await quotaAdmin.ApiGetAsync("/v2/lbaas/loadbalancers")).Status);
            Assert.Equal(HttpStatusCode.OK, (await reader.ApiGetAsync("/v2/lbaas/flavorprofiles")).Status);

            // Untouched rules keep upstream's defaults.
            Assert.Equal(HttpStatusCode.OK, (await reader.ApiGetAsync("/v2/lbaas/listeners")).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await quotaAdmin.ApiGetAsync("/v2/lbaas/listeners")).Status);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
