using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Octavia.Amphora.Network;
using Octavia.Core.Amphorae;

namespace Octavia.Drivers.Tests.Amphora;

/// <summary>
/// VIP and member-network plugging on real interfaces (reference/amphora.md §3 #14, #15, #20): each test creates a
/// namespace <c>octavia-t-&lt;rand&gt;</c> holding veth pairs (both ends inside, nothing on the host), plugs them with
/// <see cref="InterfacePlugger"/> driving that namespace, reads the result back with iproute2, and deletes the namespace.
/// </summary>
public sealed class InterfacePluggerTests : IAsyncLifetime
{
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..6];
    private string Namespace => "octavia-t-" + _suffix;

    private const string VipMac = "fa:16:3e:00:00:11";
    private const string MemberMac = "fa:16:3e:00:00:22";

    public async ValueTask InitializeAsync()
    {
        try
        {
            await IpAsync("netns", "add", Namespace);
            // Names as the network driver leaves them before the plug: octavia- prefix, 15 characters at most.
            await IpAsync("-n", Namespace, "link", "add", $"octavia-{_suffix}a", "address", VipMac, "type", "veth", "peer", "name", $"octavia-{_suffix}b");
            await IpAsync("-n", Namespace, "link", "add", $"octavia-{_suffix}c", "address", MemberMac, "type", "veth", "peer", "name", $"octavia-{_suffix}d");
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await IpAsync("netns", "del", Namespace);
        }
        catch (InvalidOperationException)
        {
        }
    }

    private InterfacePlugger Plugger() => new(NullLogger<InterfacePlugger>.Instance, Namespace);

    [Fact]
    public async Task PlugVip_RenamesToEth1_SetsMtuAddressesAndRoutes_NoDefaultRoute()
    {
        var ct = TestContext.Current.CancellationToken;
        var plugger = Plugger();
        var details = await plugger.PlugVipAsync("192.0.2.50", new PlugVipRequest("192.0.2.0/24", "192.0.2.1", VipMac.ToUpperInvariant(), Mtu: 1450,
            VrrpIp: "192.0.2.51", HostRoutes: [new HostRoute("198.18.0.0/16", "192.0.2.254")]), ct);
        Assert.Equal("VIPs plugged on interface eth1: 192.0.2.50, 192.0.2.51", details);

        var eth1 = (await plugger.LinksAsync(ct)).Single(l => l.Name == "eth1");
        Assert.Equal(VipMac, eth1.Mac);
        Assert.Equal(1450, eth1.Mtu);
        Assert.True(eth1.Up);
        Assert.Contains("192.0.2.50", eth1.Addresses);
        Assert.Contains("192.0.2.51", eth1.Addresses);
        Assert.Contains("192.0.2.50/24", await IpAsync("-n", Namespace, "addr", "show", "dev", "eth1"), StringComparison.Ordinal);
        Assert.Contains("198.18.0.0/16 via 192.0.2.254 dev eth1", await IpAsync("-n", Namespace, "route", "show"), StringComparison.Ordinal);
        Assert.Equal("", (await IpAsync("-n", Namespace, "route", "show", "default")).Trim());
        Assert.Equal("", (await IpAsync("-n", Namespace, "-6", "route", "show", "default")).Trim());

        Assert.Equal("eth1", await plugger.InterfaceOfAsync("192.0.2.51", ct));
        Assert.Null(await plugger.InterfaceOfAsync("192.0.2.99", ct));

        var again = await Assert.ThrowsAsync<PlugException>(() => plugger.PlugVipAsync("192.0.2.50",
            new PlugVipRequest("192.0.2.0/24", "192.0.2.1", VipMac), ct));
        Assert.Equal(409, again.StatusCode);
    }

    [Fact]
    public async Task PlugVip_Ipv6_PrefixFromTheSubnet_NotTentative_NoDefaultRoute()
    {
        var ct = TestContext.Current.CancellationToken;
        var plugger = Plugger();
        var details = await plugger.PlugVipAsync("2001:db8:ffff::5", new PlugVipRequest("2001:db8:ffff::/64", "2001:db8:ffff::1", VipMac,
            VrrpIp: "2001:db8:ffff::6"), ct);
        Assert.Equal("VIPs plugged on interface eth1: 2001:db8:ffff::5, 2001:db8:ffff::6", details);
        var shown = await IpAsync("-n", Namespace, "-6", "addr", "show", "dev", "eth1");
        Assert.Contains("inet6 2001:db8:ffff::5/64", shown, StringComparison.Ordinal);
        Assert.Contains("inet6 2001:db8:ffff::6/64", shown, StringComparison.Ordinal);
        // Without duplicate detection: a tentative address could not be bound by HAProxy.
        Assert.DoesNotContain("tentative", shown, StringComparison.Ordinal);
        Assert.Equal("", (await IpAsync("-n", Namespace, "-6", "route", "show", "default")).Trim());
    }

    [Fact]
    public async Task PlugVip_UnknownMac404_BadAddresses400_DefaultHostRoute400()
    {
        var ct = TestContext.Current.CancellationToken;
        var plugger = Plugger();
        var missing = await Assert.ThrowsAsync<PlugException>(() => plugger.PlugVipAsync("192.0.2.50",
            new PlugVipRequest("192.0.2.0/24", null, "fa:16:3e:99:99:99"), ct));
        Assert.Equal((404, "Network interface not found", "No suitable network interface found"), (missing.StatusCode, missing.Message, missing.Details));

        foreach (var (vip, request) in new[]
        {
            ("not-an-ip", new PlugVipRequest("192.0.2.0/24", null, VipMac)),
            ("192.0.2.50", new PlugVipRequest("192.0.2.0/33", null, VipMac)),
            ("198.51.100.5", new PlugVipRequest("192.0.2.0/24", null, VipMac)),
            ("192.0.2.50", new PlugVipRequest("192.0.2.0/24", null, "zz:16:3e:00:00:11")),
            ("192.0.2.50", new PlugVipRequest("192.0.2.0/24", null, VipMac, HostRoutes: [new HostRoute("0.0.0.0/0", "192.0.2.1")])),
        })
        {
            Assert.Equal(400, (await Assert.ThrowsAsync<PlugException>(() => plugger.PlugVipAsync(vip, request, ct))).StatusCode);
        }

        // Nothing was touched by the refused requests.
        Assert.DoesNotContain(await plugger.LinksAsync(ct), l => l.Name == "eth1");
    }

    [Fact]
    public async Task PlugNetwork_TakesNextFreeEth_ThenUpdatesTheSameInterface()
    {
        var ct = TestContext.Current.CancellationToken;
        var plugger = Plugger();
        await plugger.PlugVipAsync("192.0.2.50", new PlugVipRequest("192.0.2.0/24", null, VipMac), ct);
        var request = new PlugNetworkRequest(MemberMac, [new FixedIp("198.51.100.7", "198.51.100.0/24")], Mtu: 1400);
        Assert.Equal("Plugged on interface eth2", await plugger.PlugNetworkAsync(request, ct));
        var eth2 = (await plugger.LinksAsync(ct)).Single(l => l.Name == "eth2");
        Assert.Equal((MemberMac, 1400, true), (eth2.Mac, eth2.Mtu, eth2.Up));
        Assert.Contains("198.51.100.7", eth2.Addresses);

        var more = request with { FixedIps = [new FixedIp("198.51.100.7", "198.51.100.0/24"), new FixedIp("2001:db8::7", "2001:db8::/64")] };
        Assert.Equal("Updated existing interface eth2", await plugger.PlugNetworkAsync(more, ct));
        Assert.Contains("2001:db8::7", (await plugger.LinksAsync(ct)).Single(l => l.Name == "eth2").Addresses);
        Assert.Equal("eth2", await plugger.InterfaceOfAsync("2001:db8::7", ct));
        Assert.Equal("", (await IpAsync("-n", Namespace, "route", "show", "default")).Trim());
    }

    private static async Task<string> IpAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"ip {string.Join(' ', arguments)}: {error}");
    }
}
