using System.Text.Json.Nodes;
using Octavia.Api.Tests.Infrastructure;
using Octavia.EndToEnd;

namespace Octavia.Api.Tests.Keystone;

/// <summary>
/// The real <c>openstack</c> client with password auth, configured by a clouds.yaml of docs/clouds.yaml's
/// <c>octavia-keystone</c> shape: it gets a token from Keystone, finds both APIs through the catalog's
/// <c>load-balancer</c> and <c>network</c> entries, resolves names through the networking API and sees only its
/// project's objects.
/// </summary>
[Collection(KeystoneCollection.Name)]
public sealed class CatalogCliTests(KeystoneFixture fixture)
{
    [Fact]
    public async Task OpenStackClient_PasswordAuthThroughCatalog_ManagesItsProjectsLoadBalancers()
    {
        using var member = fixture.Cloud.ClientWith(await RbacTokens.GetAsync(fixture, KeystoneFixture.ProjectA, "member"));
        using var other = fixture.Cloud.ClientWith(await RbacTokens.GetAsync(fixture, KeystoneFixture.ProjectB, "member"));
        var cli = await CliAsync(KeystoneFixture.ProjectA);
        var otherCli = await CliAsync(KeystoneFixture.ProjectB);

        // --vip-subnet-id takes a name: the client looks it up through the catalog's network entry.
        var created = await cli.JsonAsync("loadbalancer", "create", "--name", "lb1", "--vip-subnet-id", "public-subnet", "--wait", "-f", "json");
        var mine = created["id"]!.GetValue<string>();
        var publicSubnet = (await cli.JsonAsync("subnet", "show", "public-subnet", "-f", "json"))["id"]!.GetValue<string>();
        Assert.Equal(publicSubnet, created["vip_subnet_id"]!.GetValue<string>());
        Assert.Equal(fixture.ProjectId(KeystoneFixture.ProjectA), created["project_id"]!.GetValue<string>());
        var theirs = (await otherCli.JsonAsync("loadbalancer", "create", "--name", "lb-of-b", "--vip-subnet-id", "public-subnet", "--wait", "-f", "json"))
            ["id"]!.GetValue<string>();
        await member.WaitForLoadBalancerAsync(mine);
        await other.WaitForLoadBalancerAsync(theirs);

        var ids = (await cli.JsonAsync("loadbalancer", "list", "-f", "json")).AsArray().Select(x => x!["id"]!.GetValue<string>()).ToList();
        Assert.Contains(mine, ids);
        Assert.DoesNotContain(theirs, ids);

        // The networking commands see the project's view too: public, not the cloud's private networks.
        var networks = (await cli.JsonAsync("network", "list", "-f", "json")).AsArray().Select(x => x!["Name"]!.GetValue<string>()).ToList();
        Assert.Contains("public", networks);
        Assert.DoesNotContain("private", networks);

        var shown = await cli.JsonAsync("loadbalancer", "show", "lb1", "-f", "json");
        Assert.Equal(mine, shown["id"]!.GetValue<string>());
        await cli.RunAsync("loadbalancer", "set", "--description", "from the cli", "--wait", mine);
        await cli.RunAsync("loadbalancer", "listener", "create", "--name", "cli-listener", "--protocol", "HTTP", "--protocol-port", "80", "--wait", mine);
        await cli.RunAsync("loadbalancer", "delete", "--cascade", "--wait", mine);
        await otherCli.RunAsync("loadbalancer", "delete", "--wait", theirs);
        var after = (await cli.JsonAsync("loadbalancer", "list", "-f", "json")).AsArray();
        Assert.DoesNotContain(mine, after.Select(x => x!["id"]!.GetValue<string>()));
    }

    /// <summary>A clouds.yaml like docs/clouds.yaml's <c>octavia-keystone</c> cloud, for the member of <paramref name="project"/>.</summary>
    private async Task<OpenStackCli> CliAsync(string project)
    {
        var file = Path.Combine(fixture.Cloud.StatePath, $"clouds-{project}.yaml");
        await File.WriteAllTextAsync(file, $"""
            clouds:
              octavia-keystone:
                auth_type: password
                auth:
                  auth_url: {fixture.Keystone.Url}
                  username: {KeystoneFixture.UserName(project, "member")}
                  password: {KeystoneFixture.Password}
                  project_name: {project}
                  user_domain_name: Default
                  project_domain_name: Default
                region_name: {KeystoneServer.Region}
            """, TestContext.Current.CancellationToken);
        return OpenStackCli.FromCloudsYaml(file, "octavia-keystone");
    }
}
