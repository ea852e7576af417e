using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Octavia.EndToEnd.Dataplane;

/// <summary>
/// Issue 19, point 7: the host routes to <c>public</c> only the addresses Octavia allocated there, one host
/// route each, so that every other address of the range (a package registry's, a DNS server's) keeps
/// leaving through the host's own routes. Checked with <c>ip route get</c> alone (no packet is sent to the
/// uplink): before <c>network init</c>, after it, after 90 allocations on <c>public</c> (a real load balancer
/// among them) and after they are freed; an address named in <c>uplink_hosts</c> and the package sources'
/// addresses are never handed out; the routes come back when <c>network init</c> runs again.
/// </summary>
public sealed class HostRoutesTests
{
    /// <summary>An address the test declares in use through the uplink; allocations from .2 upwards pass it.</summary>
    private const string Uplink = "203.0.113.20";

    private sealed class UplinkCloud : Dataplane
    {
        protected override string ExtraConfig => $"""
            [local_network]
            uplink_hosts = {Uplink}
            """;
    }

    [Fact]
    public async Task OnlyAllocatedAddresses_AreRoutedToTheBridge_UplinkAddressesNeverHandedOut()
    {
        // The package registries this host uses, as its resolver gives them (no traffic but the look-up).
        var registries = new List<string>();
        foreach (var host in new[] { "deb.debian.org", "api.nuget.org" })
        {
            try
            {
                registries.AddRange((await Dns.GetHostAddressesAsync(host, TestContext.Current.CancellationToken)).Select(a => a.ToString()));
            }
            catch (System.Net.Sockets.SocketException)
            {
            }
        }

        // Addresses of the ranges Octavia will hold, that it never allocates here: what the host's own routes say of them now.
        string[] untouched = [Uplink, "203.0.113.250", "2001:db8:ffff::fffe", .. registries.Distinct()];
        var before = new Dictionary<string, string>();
        foreach (var address in untouched)
        {
            before[address] = await RouteAsync(address);
            Assert.DoesNotContain("octavia-", before[address], StringComparison.Ordinal);
        }

        await using var cloud = new UplinkCloud();
        await cloud.InitializeAsync();

        // After network init: the host holds its address alone, with no route for the range.
        Assert.StartsWith("local 203.0.113.1 ", await RouteAsync("203.0.113.1"), StringComparison.Ordinal);
        Assert.DoesNotContain(await Dataplane.RunAsync("ip", "-4", "route", "show", "table", "main"), "203.0.113.0/24", StringComparison.Ordinal);
        Assert.DoesNotContain(await Dataplane.RunAsync("ip", "-6", "route", "show", "table", "main"), "2001:db8:ffff::/64", StringComparison.Ordinal);
        await AssertUntouchedAsync(before);

        // A real load balancer (its VIP and its amphora's port on public) and 90 ports on public, IPv4 and IPv6.
        var (lbId, vip, _) = await cloud.LoadBalancerWithBackendsAsync("\"protocol\": \"HTTP\"",
            "\"protocol\": \"HTTP\", \"lb_algorithm\": \"ROUND_ROBIN\"", "192.0.2.10");
        var (_, list) = await OctaviaProcess.RunAsync(cloud.ConfigFile, "network", "list");
        var publicNetwork = Dataplane.SubnetRow(list, "public-subnet")[1];
        var publicV6 = Dataplane.SubnetRow(list, "public-ipv6-subnet")[3];
        using var neutron = new HttpClient { BaseAddress = cloud.NetworkApi };
        var ports = new List<(string Id, string Address)>();
        for (var i = 0; i < 90; i++)
        {
            var body = i % 10 == 9
                ? $$$"""{"port": {"network_id": "{{{publicNetwork}}}", "fixed_ips": [{"subnet_id": "{{{publicV6}}}"}]}}"""
                : $$$"""{"port": {"network_id": "{{{publicNetwork}}}"}}""";
            var port = await PostAsync(neutron, "/v2.0/ports", body, 201);
            ports.Add((port["port"]!["id"]!.GetValue<string>(), port["port"]!["fixed_ips"]![0]!["ip_address"]!.GetValue<string>()));
        }

        var allocated = ports.Select(p => p.Address).Append(vip).ToList();
        Assert.Contains("203.0.113.81", allocated);
        foreach (var address in untouched)
        {
            Assert.DoesNotContain(address, allocated);
        }

        foreach (var address in allocated)
        {
            var route = await RouteAsync(address);
            Assert.Matches($"^{Regex(address)} .*dev octavia-pub .*src (203\\.0\\.113\\.1|2001:db8:ffff::1) ", route);
        }

        await AssertUntouchedAsync(before);
        Assert.Equal(3, (await Traffic.CountAsync($"http://{vip}/", 3)).GetValueOrDefault("192.0.2.10:80"));

        // An uplink address cannot be asked for either.
        var refused = await neutron.PostAsync("/v2.0/ports", Json($$$"""
            {"port": {"network_id": "{{{publicNetwork}}}", "fixed_ips": [{"ip_address": "{{{Uplink}}}"}]}}
            """), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);

        // Routes lost (a reboot of the routing table, a hand's flush) come back with network init, which says what it kept out.
        await Dataplane.RunAsync("ip", "route", "flush", "dev", "octavia-pub", "proto", "static");
        await Dataplane.RunAsync("ip", "-6", "route", "flush", "dev", "octavia-pub", "proto", "static");
        Assert.DoesNotContain("octavia-pub", await RouteAsync(vip), StringComparison.Ordinal);
        var (code, init) = await OctaviaProcess.RunAsync(cloud.ConfigFile, "network", "init");
        Assert.True(code == 0, init);
        Assert.Contains($"Excluded {Uplink} from public-subnet: uplink_hosts {Uplink}", init, StringComparison.Ordinal);
        foreach (var address in allocated)
        {
            Assert.Contains("dev octavia-pub ", await RouteAsync(address), StringComparison.Ordinal);
        }

        Assert.Equal(3, (await Traffic.CountAsync($"http://{vip}/", 3)).GetValueOrDefault("192.0.2.10:80"));

        // Freed addresses take their routes with them.
        foreach (var (id, _) in ports)
        {
            using var deleted = await neutron.DeleteAsync($"/v2.0/ports/{id}", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        await cloud.DeleteWithBackendsAsync(lbId, "192.0.2.10");
        foreach (var address in allocated)
        {
            Assert.DoesNotContain("octavia-", await RouteAsync(address), StringComparison.Ordinal);
        }

        Assert.Empty(await Dataplane.RunAsync("ip", "route", "show", "dev", "octavia-pub", "proto", "static"));
        await AssertUntouchedAsync(before);
    }

    private static async Task AssertUntouchedAsync(Dictionary<string, string> before)
    {
        foreach (var (address, route) in before)
        {
            Assert.Equal(route, await RouteAsync(address));
        }
    }

    /// <summary>The first line of <c>ip route get</c>: where the host would send a packet for the address (nothing is sent).</summary>
    private static async Task<string> RouteAsync(string address) =>
        (await Dataplane.RunAsync("ip", "route", "get", address)).Split('\n')[0].Trim() + " ";

    private static string Regex(string address) => System.Text.RegularExpressions.Regex.Escape(address);

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task<JsonNode> PostAsync(HttpClient client, string path, string body, int status)
    {
        using var response = await client.PostAsync(path, Json(body), TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True((int)response.StatusCode == status, $"POST {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }
}
