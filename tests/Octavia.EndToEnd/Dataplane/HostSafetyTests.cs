using System.Text.Json;

namespace Octavia.EndToEnd.Dataplane;

/// <summary>
/// DESIGN.md "Host safety": a whole life cycle (network init, a backend on private-subnet, a load balancer
/// serving it, delete, a tenant network left for network clean) leaves the host's addresses, routes and default gateway exactly as
/// they were, never gives the host an address on a tenant network, and sends no packet for a test range
/// out of any interface but the driver's own (an nftables counter, owned by this test, proves it).
/// </summary>
public sealed class HostSafetyTests
{
    private const string CounterTable = "octavia_test_uplink";

    [Fact]
    public async Task LifeCycle_LeavesHostAsItWas_AndNothingLeavesThroughTheUplink()
    {
        var before = await HostStateAsync();
        await NftAsync($$"""
            table inet {{CounterTable}} {
                chain out {
                    type filter hook postrouting priority 100; policy accept;
                    oifname != "octavia-*" oifname != "lo" ip daddr { 192.0.2.10, 203.0.113.0/24, 198.51.100.0/24 } counter
                    oifname != "octavia-*" oifname != "lo" ip saddr { 203.0.113.0/24, 198.51.100.0/24 } counter
                }
            }
            """);
        try
        {
            await using (var cloud = new Dataplane())
            {
                await cloud.InitializeAsync();
                await cloud.ServerAsync("start", "--subnet", "private-subnet", "--address", "192.0.2.10");

                // The host joined public and lb-mgmt-net only; the tenant bridge has no address at all.
                var addresses = await Dataplane.RunAsync("ip", "-j", "address", "show");
                using (var doc = JsonDocument.Parse(addresses))
                {
                    foreach (var link in doc.RootElement.EnumerateArray())
                    {
                        var name = link.GetProperty("ifname").GetString()!;
                        var locals = link.GetProperty("addr_info").EnumerateArray().Select(a => a.GetProperty("local").GetString()!).ToList();
                        if (name.StartsWith("octavia-b", StringComparison.Ordinal) || name.StartsWith("octavia-v", StringComparison.Ordinal))
                        {
                            Assert.Empty(locals);
                        }

                        Assert.DoesNotContain(locals, a => a.StartsWith("192.0.2.", StringComparison.Ordinal) && !before.Contains(a, StringComparison.Ordinal));
                    }
                }

                var created = await cloud.PostAsync("/v2/lbaas/loadbalancers", $$"""
                    {"loadbalancer": {"vip_subnet_id": "{{cloud.PublicSubnetId}}", "listeners": [{"protocol": "HTTP", "protocol_port": 80,
                      "default_pool": {"name": "pool1", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN",
                        "members": [{"address": "192.0.2.10", "protocol_port": 80, "subnet_id": "{{cloud.PrivateSubnetId}}"}]} }]} }
                    """);
                var lbId = created["loadbalancer"]!["id"]!.GetValue<string>();
                var vip = created["loadbalancer"]!["vip_address"]!.GetValue<string>();
                await cloud.WaitForActiveAsync(lbId);
                Assert.Equal(5, (await Traffic.CountAsync($"http://{vip}/", 5)).GetValueOrDefault("192.0.2.10:80"));
                await cloud.DeleteAsync($"/v2/lbaas/loadbalancers/{lbId}?cascade=true");
                await cloud.WaitForGoneAsync(lbId);
                await cloud.ServerAsync("stop", "--all");

                // A tenant network of the user's, still there when the cloud goes: network clean takes its bridge too.
                await cloud.CloudCli.RunAsync("network", "create", "left-behind");
                await cloud.CloudCli.RunAsync("subnet", "create", "--network", "left-behind", "--subnet-range", "192.0.2.0/24", "left-behind-subnet");
            }

            // Dispose ran `octavia network clean`.
            var (namespaces, links, haproxies) = await Dataplane.LeftoversAsync();
            Assert.Empty(namespaces);
            Assert.Empty(links);
            Assert.Empty(haproxies);
            Assert.DoesNotContain((await Dataplane.RunAsync("nft", "list", "tables")).Split('\n'),
                t => t.Contains("octavia", StringComparison.Ordinal) && !t.EndsWith(CounterTable, StringComparison.Ordinal));
            Assert.Equal(before, await HostStateAsync());

            var counters = await Dataplane.RunAsync("nft", "list", "table", "inet", CounterTable);
            Assert.DoesNotMatch(@"counter packets [1-9]", counters);
        }
        finally
        {
            await Dataplane.RunAsync("nft", "delete", "table", "inet", CounterTable);
        }
    }

    /// <summary>The host's addresses and routes (IPv4 and IPv6, every table), as text to compare.</summary>
    internal static async Task<string> HostStateAsync() =>
        string.Join('\n',
            await Dataplane.RunAsync("ip", "-br", "address", "show"),
            await Dataplane.RunAsync("ip", "-4", "route", "show", "table", "all"),
            await Dataplane.RunAsync("ip", "-6", "route", "show", "table", "all"));

    private static async Task NftAsync(string rules)
    {
        var info = new System.Diagnostics.ProcessStartInfo("nft") { RedirectStandardInput = true, UseShellExecute = false };
        info.ArgumentList.Add("-f");
        info.ArgumentList.Add("-");
        using var process = System.Diagnostics.Process.Start(info)!;
        await process.StandardInput.WriteAsync(rules);
        process.StandardInput.Close();
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, process.ExitCode);
    }
}
