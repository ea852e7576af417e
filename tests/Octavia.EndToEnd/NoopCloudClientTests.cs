using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Octavia.EndToEnd;

/// <summary>
/// Upstream's clients against <c>octavia all</c> on the no-op drivers and the project's defaults, as the
/// client suites of issue 13 ran it: the networking API still serves the default subnets (as rows), the
/// provider list is upstream's, no-op amphorae carry port ids, and L7 rules list through both
/// <c>openstack loadbalancer l7rule list</c> and openstacksdk's <c>l7_rules(l7_policy=...)</c>, which
/// sends <c>l7policy_id</c> as a filter.
/// </summary>
public sealed class NoopCloudClientTests
{
    [Fact]
    public async Task UpstreamClients_WorkAgainstTheNoopCloud()
    {
        using var dir = new TestDirectory();
        var apiPort = OctaviaProcess.FreePort();
        var networkPort = OctaviaProcess.FreePort();
        dir.WriteConfig($"""
            [api_settings]
            bind_host = 127.0.0.1
            bind_port = {apiPort}

            [network_api]
            bind_host = 127.0.0.1
            bind_port = {networkPort}
            """);
        var clouds = Path.Combine(dir.Path, "clouds.yaml");
        await File.WriteAllTextAsync(clouds, $"""
            clouds:
              octavia-e2e:
                auth_type: none
                auth:
                  endpoint: http://127.0.0.1:{networkPort}
                load_balancer_endpoint_override: http://127.0.0.1:{apiPort}
            """, TestContext.Current.CancellationToken);
        using var octavia = OctaviaProcess.Start(dir.ConfigFile, "all");
        using (var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}") })
        {
            await OctaviaProcess.WaitForApiAsync(client, octavia);
        }

        var cli = OpenStackCli.FromCloudsYaml(clouds, "octavia-e2e");

        // network_noop_driver: the default networks exist as rows, so names resolve.
        var subnets = (await cli.JsonAsync("subnet", "list", "-f", "json")).AsArray().Select(s => s!["Name"]!.GetValue<string>()).ToHashSet();
        Assert.Superset(new HashSet<string> { "public-subnet", "private-subnet", "lb-mgmt-subnet" }, subnets);

        var providers = (await cli.JsonAsync("loadbalancer", "provider", "list", "-f", "json")).AsArray().Select(p => p!["name"]!.GetValue<string>());
        Assert.Equal(["amphora", "octavia"], providers.ToArray());

        var lb = await cli.JsonAsync("loadbalancer", "create", "--name", "lb1", "--vip-subnet-id", "public-subnet", "--wait", "-f", "json");
        Assert.Equal("ACTIVE", lb["provisioning_status"]!.GetValue<string>());
        var amphorae = (await cli.JsonAsync("loadbalancer", "amphora", "list", "--loadbalancer", "lb1", "-f", "json")).AsArray();
        var amphora = await cli.JsonAsync("loadbalancer", "amphora", "show", Assert.Single(amphorae)!["id"]!.GetValue<string>(), "-f", "json");
        Assert.True(Guid.TryParse(amphora["vrrp_port_id"]?.GetValue<string>(), out _), amphora.ToJsonString());
        Assert.True(Guid.TryParse(amphora["ha_port_id"]?.GetValue<string>(), out _), amphora.ToJsonString());

        await cli.RunAsync("loadbalancer", "listener", "create", "--name", "listener1", "--protocol", "HTTP", "--protocol-port", "80", "--wait", "lb1");
        var policy = await cli.JsonAsync("loadbalancer", "l7policy", "create", "--name", "policy1", "--action", "REJECT", "--wait", "listener1", "-f", "json");
        // No --wait: python-octaviaclient's l7rule create --wait swaps the rule and policy ids when it reads the rule
        // back, and fails against upstream too.
        var rule = await cli.JsonAsync("loadbalancer", "l7rule", "create", "--type", "PATH", "--compare-type", "STARTS_WITH", "--value", "/api",
            "policy1", "-f", "json");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await cli.JsonAsync("loadbalancer", "show", "lb1", "-f", "json"))["provisioning_status"]!.GetValue<string>() != "ACTIVE"
            && DateTime.UtcNow < deadline)
        {
        }

        var listed = (await cli.JsonAsync("loadbalancer", "l7rule", "list", "policy1", "-f", "json")).AsArray();
        Assert.Equal(rule["id"]!.GetValue<string>(), Assert.Single(listed)!["id"]!.GetValue<string>());

        var sdk = await RunSdkAsync(clouds, policy["id"]!.GetValue<string>());
        Assert.Equal([rule["id"]!.GetValue<string>()], JsonNode.Parse(sdk)!.AsArray().Select(r => r!.GetValue<string>()).ToArray());

        await cli.RunAsync("loadbalancer", "delete", "--cascade", "--wait", "lb1");
    }

    /// <summary>Debian's python3-openstacksdk listing a policy's rules; prints their ids as JSON.</summary>
    private static async Task<string> RunSdkAsync(string clouds, string policyId)
    {
        const string Script = """
            import json, sys
            import openstack
            conn = openstack.connect(cloud='octavia-e2e')
            print(json.dumps([r.id for r in conn.load_balancer.l7_rules(l7_policy=sys.argv[1])]))
            """;
        var info = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Script);
        info.ArgumentList.Add(policyId);
        info.Environment["PATH"] = "/usr/bin:/bin:/usr/sbin:/sbin";
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("OS_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(key);
        }

        info.Environment["OS_CLIENT_CONFIG_FILE"] = clouds;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, $"openstacksdk exited {process.ExitCode}:\n{await stderr}");
        return (await stdout).Trim().Split('\n')[^1];
    }
}
