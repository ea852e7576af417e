using System.Diagnostics;
using System.Text.Json.Nodes;
using Octavia.Api.Tests.Infrastructure;

namespace Octavia.Api.Tests.Keystone;

/// <summary>
/// The real <c>openstack</c> client with password auth: it gets a token from Keystone, finds the API through the
/// catalog's <c>load-balancer</c> entry and sees only its project's load balancers.
/// </summary>
[Collection(KeystoneCollection.Name)]
public sealed class CatalogCliTests(KeystoneFixture fixture)
{
    [Fact]
    public async Task OpenStackClient_PasswordAuthThroughCatalog_ManagesItsProjectsLoadBalancers()
    {
        using var member = fixture.Octavia.ClientWith(await RbacTokens.GetAsync(fixture, KeystoneFixture.ProjectA, "member"));
        using var other = fixture.Octavia.ClientWith(await RbacTokens.GetAsync(fixture, KeystoneFixture.ProjectB, "member"));
        var mine = await member.CreateLoadBalancerAsync("cli-lb");
        var theirs = await other.CreateLoadBalancerAsync("cli-lb-of-b");

        var list = JsonNode.Parse(await CliAsync("loadbalancer", "list", "-f", "json"))!.AsArray();
        var ids = list.Select(x => x!["id"]!.GetValue<string>()).ToList();
        Assert.Contains(mine, ids);
        Assert.DoesNotContain(theirs, ids);

        var shown = JsonNode.Parse(await CliAsync("loadbalancer", "show", "cli-lb", "-f", "json"))!;
        Assert.Equal(fixture.ProjectId(KeystoneFixture.ProjectA), shown["project_id"]!.GetValue<string>());
        await CliAsync("loadbalancer", "set", "--description", "from the cli", "--wait", mine);
        await CliAsync("loadbalancer", "listener", "create", "--name", "cli-listener", "--protocol", "HTTP", "--protocol-port", "80", "--wait", mine);
        await CliAsync("loadbalancer", "delete", "--cascade", "--wait", mine);
        var after = JsonNode.Parse(await CliAsync("loadbalancer", "list", "-f", "json"))!.AsArray();
        Assert.DoesNotContain(mine, after.Select(x => x!["id"]!.GetValue<string>()));
    }

    private async Task<string> CliAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo("/usr/bin/openstack") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("OS_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(key);
        }

        info.Environment["PATH"] = "/usr/bin:/bin";
        info.Environment["OS_AUTH_URL"] = fixture.Keystone.Url;
        info.Environment["OS_IDENTITY_API_VERSION"] = "3";
        info.Environment["OS_USERNAME"] = KeystoneFixture.UserName(KeystoneFixture.ProjectA, "member");
        info.Environment["OS_PASSWORD"] = KeystoneFixture.Password;
        info.Environment["OS_PROJECT_NAME"] = KeystoneFixture.ProjectA;
        info.Environment["OS_USER_DOMAIN_NAME"] = "Default";
        info.Environment["OS_PROJECT_DOMAIN_NAME"] = "Default";
        info.Environment["OS_REGION_NAME"] = KeystoneServer.Region;
        info.Environment["OS_INTERFACE"] = "public";
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, $"openstack {string.Join(' ', arguments)} exited {process.ExitCode}:\n{await stderr}\n{await stdout}");
        return await stdout;
    }
}
