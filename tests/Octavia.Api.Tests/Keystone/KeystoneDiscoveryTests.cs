using System.Net;
using Octavia.Api.Tests.Infrastructure;

namespace Octavia.Api.Tests.Keystone;

/// <summary>
/// <c>[keystone_authtoken] auth_url</c> as deployment tools write it: Keystone's root (devstack's
/// <c>http://host:5000</c>), or its v3 API with or without a trailing slash, all reach the same token checks; a URL
/// that answers but is not a Keystone stops the start with a message naming it.
/// </summary>
[Collection(KeystoneCollection.Name)]
public sealed class KeystoneDiscoveryTests(KeystoneFixture fixture)
{
    private string Root => fixture.Keystone.Url[..^"/v3".Length];

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("/v3")]
    [InlineData("/v3/")]
    public async Task AuthUrl_WithOrWithoutVersion_ValidatesTokens(string suffix)
    {
        await using var octavia = await fixture.StartOctaviaAsync(new Dictionary<string, string?>
        {
            ["keystone_authtoken:auth_url"] = Root + suffix,
        });
        using var member = octavia.ClientWith(await RbacTokens.GetAsync(fixture, KeystoneFixture.ProjectA, "member"));
        using var nobody = octavia.ClientWith("not-a-token");

        Assert.Equal(HttpStatusCode.OK, (await member.ApiGetAsync("/v2/lbaas/loadbalancers")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await nobody.ApiGetAsync("/v2/lbaas/loadbalancers")).Status);
    }

    [Fact]
    public async Task AuthUrl_OfAnotherService_StopsStartUpNamingIt()
    {
        // The load-balancer API answers its own version list at its root: a version document, but no identity API.
        var url = fixture.Octavia.BaseAddress.ToString();
        var e = await Assert.ThrowsAnyAsync<InvalidOperationException>(() =>
            fixture.StartOctaviaAsync(new Dictionary<string, string?> { ["keystone_authtoken:auth_url"] = url }));
        Assert.Contains($"auth_url = {url} is not a Keystone identity endpoint", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuthUrl_OfAPathKeystoneDoesNotServe_StopsStartUpNamingIt()
    {
        var url = Root + "/identity";
        var e = await Assert.ThrowsAnyAsync<InvalidOperationException>(() =>
            fixture.StartOctaviaAsync(new Dictionary<string, string?> { ["keystone_authtoken:auth_url"] = url }));
        Assert.Contains($"auth_url = {url} is not a Keystone identity endpoint: GET {url} answered 404", e.Message, StringComparison.Ordinal);
    }
}
