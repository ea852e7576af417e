using System.Diagnostics;
using System.Text.Json;

namespace Octavia.EndToEnd.Dataplane;

/// <summary>
/// The basic cookbook scenario with IPv6 (issue 5), through the real client (<c>OS_CLOUD=octavia-noauth</c>):
/// lb1 on <c>public-ipv6-subnet</c> (or on the IPv4 <c>public-subnet</c>, with the same IPv6 members),
/// listener1 HTTP:80, pool1 ROUND_ROBIN, members 2001:db8:2::10 and ::11 on <c>private-ipv6-subnet</c> served
/// by <c>octavia server start</c> backends; requests from the host to the VIP reach both. The host's only
/// IPv6 addresses in the documentation range are on octavia-pub, and a tenant bridge still has no IPv6.
/// </summary>
[Collection("dataplane")]
public sealed class Ipv6Tests(Dataplane cloud)
{
    private static readonly string[] Members = ["2001:db8:2::10", "2001:db8:2::11"];

    [Theory]
    [InlineData("public-ipv6-subnet", "2001:db8:ffff::")]
    [InlineData("public-subnet", "203.0.113.")]
    public async Task BasicScenario_Ipv6Members_BalancedAcrossBoth(string vipSubnet, string vipPrefix)
    {
        var cli = cloud.CloudCli;
        foreach (var address in Members)
        {
            await cloud.ServerAsync("start", "--subnet", "private-ipv6-subnet", "--address", address);
        }

        try
        {
            var lb = await cli.JsonAsync("loadbalancer", "create", "--name", "lb1", "--vip-subnet-id", vipSubnet, "--wait", "-f", "json");
            var vip = lb["vip_address"]!.GetValue<string>();
            Assert.StartsWith(vipPrefix, vip, StringComparison.Ordinal);
            Assert.Equal("ACTIVE", lb["provisioning_status"]!.GetValue<string>());
            await cli.RunAsync("loadbalancer", "listener", "create", "--name", "listener1", "--protocol", "HTTP", "--protocol-port", "80", "--wait", "lb1");
            await cli.RunAsync("loadbalancer", "pool", "create", "--name", "pool1", "--lb-algorithm", "ROUND_ROBIN", "--listener", "listener1", "--protocol", "HTTP", "--wait");
            foreach (var address in Members)
            {
                var member = await cli.JsonAsync("loadbalancer", "member", "create", "--subnet-id", "private-ipv6-subnet", "--address", address,
                    "--protocol-port", "80", "--wait", "pool1", "-f", "json");
                Assert.Equal(address, member["address"]!.GetValue<string>());
                Assert.Equal("ACTIVE", member["provisioning_status"]!.GetValue<string>());
            }

            var url = vip.Contains(':', StringComparison.Ordinal) ? $"http://[{vip}]/" : $"http://{vip}/";
            var warm = Stopwatch.StartNew();
            while ((await Traffic.CountAsync(url, 2)).Count < 2)
            {
                Assert.True(warm.Elapsed.TotalSeconds < 10, $"Both backends never answered through {url}.\n{cloud.Output}");
            }

            var counts = await Traffic.CountAsync(url, 20);
            Assert.Equal(10, counts.GetValueOrDefault("[2001:db8:2::10]:80"));
            Assert.Equal(10, counts.GetValueOrDefault("[2001:db8:2::11]:80"));

            await AssertHostIpv6OnlyOnPublicAsync();
        }
        finally
        {
            await cli.TryRunAsync("loadbalancer", "delete", "--cascade", "--wait", "lb1");
            foreach (var address in Members)
            {
                await OctaviaProcess.RunAsync(cloud.ConfigFile, "server", "stop", address);
            }
        }
    }

    [Fact]
    public async Task NetworkInit_MakesBothIpv6Subnets_HostJoinsPublicOnly()
    {
        var (code, output) = await OctaviaProcess.RunAsync(cloud.ConfigFile, "network", "list");
        Assert.True(code == 0, output);
        var publicRow = Dataplane.SubnetRow(output, "public-ipv6-subnet");
        Assert.Equal(["public", "2001:db8:ffff::/64", "octavia-pub", "2001:db8:ffff::1"], [publicRow[0], publicRow[4], publicRow[5], publicRow[6]]);
        var privateRow = Dataplane.SubnetRow(output, "private-ipv6-subnet");
        Assert.Equal(["private", "2001:db8:2::/64", "-"], [privateRow[0], privateRow[4], privateRow[6]]);

        var subnet = await cloud.CloudCli.JsonAsync("subnet", "show", "private-ipv6-subnet", "-f", "json");
        Assert.Equal(6, subnet["ip_version"]!.GetValue<int>());
        Assert.Equal("2001:db8:2::1", subnet["gateway_ip"]!.GetValue<string>());
        Assert.Equal("1", (await File.ReadAllTextAsync($"/proc/sys/net/ipv6/conf/{privateRow[5]}/disable_ipv6", TestContext.Current.CancellationToken)).Trim());
        Assert.Equal("0", (await File.ReadAllTextAsync("/proc/sys/net/ipv6/conf/octavia-pub/disable_ipv6", TestContext.Current.CancellationToken)).Trim());
        await AssertHostIpv6OnlyOnPublicAsync();
    }

    /// <summary>The host holds an address of 2001:db8::/32, or any IPv6 address on an octavia- link, on octavia-pub only.</summary>
    private static async Task AssertHostIpv6OnlyOnPublicAsync()
    {
        using var doc = JsonDocument.Parse(await Dataplane.RunAsync("ip", "-j", "-6", "address", "show"));
        foreach (var link in doc.RootElement.EnumerateArray())
        {
            var name = link.GetProperty("ifname").GetString()!;
            var locals = link.TryGetProperty("addr_info", out var info) ? info.EnumerateArray().Select(a => a.GetProperty("local").GetString()!).ToList() : [];
            if (name == "octavia-pub")
            {
                Assert.Contains("2001:db8:ffff::1", locals);
                continue;
            }

            Assert.DoesNotContain(locals, a => a.StartsWith("2001:db8:", StringComparison.OrdinalIgnoreCase));
            if (name.StartsWith("octavia-", StringComparison.Ordinal))
            {
                Assert.Empty(locals);
            }
        }
    }
}
