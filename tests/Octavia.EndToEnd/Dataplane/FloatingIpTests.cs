using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Octavia.EndToEnd.Dataplane;

/// <summary>
/// Upstream's cookbook scenario "Deploy a basic HTTP load balancer using a floating IP", with the real
/// <c>openstack</c> client against both APIs: lb1 on private-subnet (which the host never joins), a
/// floating IP from <c>public</c> associated with the VIP port, requests from the host to the floating
/// address balanced across the two backends through the router namespace of <c>private</c>.
/// </summary>
[Collection("dataplane")]
public sealed class FloatingIpTests(Dataplane cloud)
{
    private static readonly string[] Backends = ["192.0.2.10", "192.0.2.11"];

    [Fact]
    public async Task CookbookFloatingIp_BalancesThroughTheRouter_AndSurvivesARecreatedLoadBalancer()
    {
        var os = cloud.CloudCli;
        foreach (var address in Backends)
        {
            await cloud.ServerAsync("start", "--subnet", "private-subnet", "--address", address);
        }

        string? floatingIpId = null;
        try
        {
            var (vipPortId, vip) = await CookbookLoadBalancerAsync(os);
            Assert.StartsWith("192.0.2.", vip, StringComparison.Ordinal);
            var floatingIp = await os.JsonAsync("floating", "ip", "create", "public", "-f", "json");
            floatingIpId = floatingIp["id"]!.GetValue<string>();
            var address = floatingIp["floating_ip_address"]!.GetValue<string>();
            Assert.StartsWith("203.0.113.", address, StringComparison.Ordinal);
            await os.RunAsync("floating", "ip", "set", "--port", vipPortId, floatingIpId);

            var shown = await os.JsonAsync("floating", "ip", "show", floatingIpId, "-f", "json");
            Assert.Equal("ACTIVE", shown["status"]!.GetValue<string>());
            Assert.Equal(vip, shown["fixed_ip_address"]!.GetValue<string>());
            Assert.Equal(vipPortId, shown["port_id"]!.GetValue<string>());
            var listed = (await os.JsonAsync("floating", "ip", "list", "--port", vipPortId, "-f", "json")).AsArray();
            Assert.Equal(floatingIpId, Assert.Single(listed)!["ID"]!.GetValue<string>());

            var url = $"http://{address}/";
            await AssertBalancedAsync(url);
            var router = await RouterNamespaceAsync(os);
            Assert.Contains(router, await NamespacesAsync());

            // Unset: the translation goes (the last floating IP of private takes its router with it).
            await os.RunAsync("floating", "ip", "unset", "--port", floatingIpId);
            Assert.Equal("DOWN", (await os.JsonAsync("floating", "ip", "show", floatingIpId, "-f", "json"))["status"]!.GetValue<string>());
            Assert.Equal(2, (await Traffic.CountAsync(url, 2, timeoutSeconds: 5)).GetValueOrDefault("error"));
            Assert.DoesNotContain(router, await NamespacesAsync());

            // lb1 deleted and made again (a new VIP port and MAC, likely at the same address): the same floating IP follows it.
            await DeleteLoadBalancerAsync(os);
            (vipPortId, vip) = await CookbookLoadBalancerAsync(os);
            await os.RunAsync("floating", "ip", "set", "--port", vipPortId, floatingIpId);
            Assert.Equal(vip, (await os.JsonAsync("floating", "ip", "show", floatingIpId, "-f", "json"))["fixed_ip_address"]!.GetValue<string>());
            await AssertBalancedAsync(url);

            // A reboot takes the router namespace away (here: removed by hand); `octavia network init` makes it again.
            await Dataplane.RunAsync("ip", "netns", "delete", router);
            Assert.DoesNotContain(router, await NamespacesAsync());
            var (code, output) = await OctaviaProcess.RunAsync(cloud.ConfigFile, "network", "init");
            Assert.True(code == 0, output);
            Assert.Contains(router, await NamespacesAsync());
            await AssertBalancedAsync(url);

            await DeleteLoadBalancerAsync(os);
            await os.RunAsync("floating", "ip", "delete", floatingIpId);
            floatingIpId = null;
            await cloud.ServerAsync("stop", "--all");

            var (namespaces, links, haproxies) = await Dataplane.LeftoversAsync();
            Assert.Empty(namespaces);
            Assert.Empty(haproxies);
            Assert.All(links, l => Assert.True(l is "octavia-pub" or "octavia-mgmt" || l.StartsWith("octavia-b", StringComparison.Ordinal), l));
            Assert.DoesNotContain("octavia_router", await Dataplane.RunAsync("nft", "list", "tables"), StringComparison.Ordinal);
            Assert.Empty((await os.JsonAsync("floating", "ip", "list", "-f", "json")).AsArray());
            Assert.Empty((await os.JsonAsync("port", "list", "--device-owner", "network:router_gateway", "-f", "json")).AsArray());
        }
        finally
        {
            // Best effort: a failure here must not hide the test's own.
            if (floatingIpId is not null)
            {
                await os.TryRunAsync("floating", "ip", "delete", floatingIpId);
            }

            await os.TryRunAsync("loadbalancer", "delete", "--cascade", "lb1");
            await cloud.ServerAsync("stop", "--all");
        }
    }

    /// <summary>The cookbook's commands up to the members; returns the VIP port and address from the create's output.</summary>
    private static async Task<(string VipPortId, string Vip)> CookbookLoadBalancerAsync(OpenStackCli os)
    {
        var lb = await os.JsonAsync("loadbalancer", "create", "--name", "lb1", "--vip-subnet-id", "private-subnet", "-f", "json");
        await WaitForActiveAsync(os);
        await os.RunAsync("loadbalancer", "listener", "create", "--name", "listener1", "--protocol", "HTTP", "--protocol-port", "80", "lb1");
        await WaitForActiveAsync(os);
        await os.RunAsync("loadbalancer", "pool", "create", "--name", "pool1", "--lb-algorithm", "ROUND_ROBIN", "--listener", "listener1", "--protocol", "HTTP");
        await WaitForActiveAsync(os);
        await os.RunAsync("loadbalancer", "healthmonitor", "create", "--delay", "5", "--max-retries", "4", "--timeout", "10", "--type", "HTTP",
            "--url-path", "/healthcheck", "pool1");
        await WaitForActiveAsync(os);
        foreach (var address in Backends)
        {
            await os.RunAsync("loadbalancer", "member", "create", "--subnet-id", "private-subnet", "--address", address, "--protocol-port", "80", "pool1");
            await WaitForActiveAsync(os);
        }

        return (lb["vip_port_id"]!.GetValue<string>(), lb["vip_address"]!.GetValue<string>());
    }

    /// <summary>The cookbook's "re-run <c>openstack loadbalancer show lb1</c> until ACTIVE".</summary>
    private static async Task WaitForActiveAsync(OpenStackCli os)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var status = (await os.JsonAsync("loadbalancer", "show", "lb1", "-f", "json"))["provisioning_status"]!.GetValue<string>();
            if (status == "ACTIVE")
            {
                return;
            }

            Assert.True(status.StartsWith("PENDING_", StringComparison.Ordinal) && waited.Elapsed.TotalSeconds < 120, $"lb1 is {status} after {waited.Elapsed}");
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }
    }

    private static async Task DeleteLoadBalancerAsync(OpenStackCli os)
    {
        await os.RunAsync("loadbalancer", "delete", "--cascade", "lb1");
        var waited = Stopwatch.StartNew();
        while ((await os.TryRunAsync("loadbalancer", "show", "lb1")).ExitCode == 0)
        {
            Assert.True(waited.Elapsed.TotalSeconds < 120, "lb1 was never deleted");
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Requests to the floating IP from the host reach both backends, evenly (round robin, one connection each).</summary>
    private async Task AssertBalancedAsync(string url)
    {
        // The members are UP after their first check (delay 5 s): wait until both have answered once.
        var warm = Stopwatch.StartNew();
        while ((await Traffic.CountAsync(url, 2)).Keys.Count(k => k.EndsWith(":80", StringComparison.Ordinal)) < 2)
        {
            Assert.True(warm.Elapsed.TotalSeconds < 60, $"Both backends never answered through {url}.\n" + cloud.Output);
        }

        var counts = await Traffic.CountAsync(url, 40);
        Assert.Equal(20, counts.GetValueOrDefault("192.0.2.10:80"));
        Assert.Equal(20, counts.GetValueOrDefault("192.0.2.11:80"));
    }

    private static async Task<string> RouterNamespaceAsync(OpenStackCli os)
    {
        var network = (await os.JsonAsync("network", "show", "private", "-f", "json"))["id"]!.GetValue<string>();
        return "octavia-r" + network.Replace("-", "", StringComparison.Ordinal)[..6];
    }

    private static async Task<List<string>> NamespacesAsync() =>
        (await Dataplane.RunAsync("ip", "netns", "list")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]).ToList();
}
