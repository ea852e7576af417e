using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Octavia.Drivers.Local;

/// <summary>The Linux links and namespaces the local drivers make; everything carries the <c>octavia-</c> prefix.</summary>
public static class Links
{
    public const string Prefix = "octavia-";

    public static async Task<bool> ExistsAsync(string link, CancellationToken cancellationToken) =>
        (await HostCommand.RunAsync("ip", ["link", "show", "dev", link], cancellationToken)).Ok;

    /// <summary>
    /// A bridge with a fixed MAC, up, holding the given host addresses. A bridge without host addresses
    /// is a tenant network: the host answers no ARP and takes no IPv6 address there (DESIGN.md "Host safety");
    /// frames between the namespaces on it, IPv6 ones included, are bridged all the same.
    /// </summary>
    public static async Task EnsureBridgeAsync(string bridge, string mac, int mtu, IReadOnlyList<string> hostAddresses, CancellationToken cancellationToken)
    {
        if (!await ExistsAsync(bridge, cancellationToken))
        {
            await HostCommand.IpAsync(cancellationToken, "link", "add", "name", bridge, "address", mac, "mtu", mtu.ToString(System.Globalization.CultureInfo.InvariantCulture), "type", "bridge");
        }

        // Only the addresses it holds itself (arp_ignore 1) on host-joined bridges; none at all elsewhere.
        // IPv6 only where the host holds an IPv6 address, and then no address of its own making (no router
        // advertisement or autoconfiguration is taken from a bridge) and no duplicate detection to wait for.
        var ipv6 = hostAddresses.Any(a => a.Contains(':', StringComparison.Ordinal));
        SetSysctl($"net/ipv4/conf/{bridge}/arp_ignore", hostAddresses.Count > 0 ? "1" : "8");
        if (ipv6)
        {
            SetSysctl($"net/ipv6/conf/{bridge}/accept_ra", "0");
            SetSysctl($"net/ipv6/conf/{bridge}/autoconf", "0");
        }

        SetSysctl($"net/ipv6/conf/{bridge}/disable_ipv6", ipv6 ? "0" : "1");

        // The host's addresses alone, with no route for their prefix (the host routes each allocated address
        // on its own, HostRoutes): any other global address is an older install's (a /24 with its prefix route).
        using (var doc = JsonDocument.Parse(await HostCommand.IpAsync(cancellationToken, "-j", "address", "show", "dev", bridge)))
        {
            var stale = doc.RootElement.EnumerateArray()
                .SelectMany(l => l.TryGetProperty("addr_info", out var info) ? info.EnumerateArray() : Enumerable.Empty<JsonElement>())
                .Where(a => a.TryGetProperty("scope", out var scope) && scope.GetString() == "global")
                .Select(a => $"{a.GetProperty("local").GetString()}/{a.GetProperty("prefixlen").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture)}")
                .Where(a => !hostAddresses.Select(AddressKey).Contains(AddressKey(a)))
                .ToList();
            foreach (var address in stale)
            {
                await HostCommand.RunAsync("ip", ["address", "del", address, "dev", bridge], cancellationToken);
            }
        }

        foreach (var address in hostAddresses)
        {
            // A host prefix (/32, /128) is the host's address alone: no route for it; a wider one keeps its prefix route (lb-mgmt-net).
            string[] prefix = address.EndsWith("/32", StringComparison.Ordinal) || address.EndsWith("/128", StringComparison.Ordinal) ? ["noprefixroute"] : [];
            string[] flags = address.Contains(':', StringComparison.Ordinal) ? ["nodad", .. prefix] : prefix;
            await HostCommand.IpAsync(cancellationToken, ["address", "replace", address, "dev", bridge, .. flags]);
        }

        await HostCommand.IpAsync(cancellationToken, "link", "set", bridge, "up");
    }

    /// <summary>A veth pair: one end in the bridge on the host, the other in the namespace with the port's MAC.</summary>
    public static async Task AddVethIntoNamespaceAsync(string hostLink, string bridge, int mtu, string ns, string inside, string mac,
        CancellationToken cancellationToken)
    {
        var mtuText = mtu.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string[] add = ["link", "add", hostLink, "mtu", mtuText, "type", "veth", "peer", "name", inside, "address", mac, "mtu", mtuText, "netns", ns];
        // Tried first, not looked for first: a process fewer on every plug. What stands in the way is a
        // leftover of a plug cut short, replaced.
        if (!(await HostCommand.RunAsync("ip", add, cancellationToken)).Ok)
        {
            await DeleteAsync(hostLink, cancellationToken);
            await HostCommand.IpAsync(cancellationToken, add);
        }

        SetSysctl($"net/ipv6/conf/{hostLink}/disable_ipv6", "1");
        await HostCommand.IpAsync(cancellationToken, "link", "set", hostLink, "master", bridge, "up");
    }

    public static async Task DeleteAsync(string link, CancellationToken cancellationToken)
    {
        if (await ExistsAsync(link, cancellationToken))
        {
            await HostCommand.RunAsync("ip", ["link", "delete", link], cancellationToken);
        }
    }

    public static async Task EnsureNamespaceAsync(string ns, CancellationToken cancellationToken)
    {
        if (!(await HostCommand.RunAsync("ip", ["netns", "exec", ns, "true"], cancellationToken)).Ok)
        {
            await HostCommand.IpAsync(cancellationToken, "netns", "add", ns);
        }

        await HostCommand.IpAsync(cancellationToken, "-n", ns, "link", "set", "lo", "up");
    }

    /// <summary>Every process in the namespace killed, then the namespace removed (its veth ends go with it).</summary>
    public static async Task DeleteNamespaceAsync(string ns, CancellationToken cancellationToken)
    {
        for (var round = 0; round < 50; round++)
        {
            var pids = await PidsAsync(ns, cancellationToken);
            if (pids.Count == 0)
            {
                break;
            }

            foreach (var pid in pids)
            {
                Kill(pid);
            }

            await Task.Delay(20, cancellationToken);
        }

        await HostCommand.RunAsync("ip", ["netns", "delete", ns], cancellationToken);
    }

    public static async Task<List<int>> PidsAsync(string ns, CancellationToken cancellationToken)
    {
        var result = await HostCommand.RunAsync("ip", ["netns", "pids", ns], cancellationToken);
        return result.Ok
            ? result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture)).ToList()
            : [];
    }

    public static void Kill(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            process.Kill();
        }
        catch (ArgumentException)
        {
        }
        catch (InvalidOperationException)
        {
        }
    }

    public static async Task<List<string>> NamespacesAsync(CancellationToken cancellationToken)
    {
        var result = await HostCommand.RunAsync("ip", ["netns", "list"], cancellationToken);
        return result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ')[0]).Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).ToList();
    }

    public static async Task<List<string>> LinkNamesAsync(CancellationToken cancellationToken)
    {
        var json = await HostCommand.IpAsync(cancellationToken, "-j", "link", "show");
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.EnumerateArray().Select(l => l.GetProperty("ifname").GetString() ?? "")
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).ToList();
    }

    /// <summary>All <c>octavia-</c> namespaces (and their processes) and links, gone.</summary>
    public static async Task RemoveEverythingAsync(ILogger logger, CancellationToken cancellationToken)
    {
        foreach (var ns in await NamespacesAsync(cancellationToken))
        {
            logger.LogInformation("Removing namespace {Namespace}", ns);
            await DeleteNamespaceAsync(ns, cancellationToken);
        }

        // veth host ends first, then the bridges they were in.
        foreach (var link in (await LinkNamesAsync(cancellationToken)).OrderBy(l => l.StartsWith("octavia-v", StringComparison.Ordinal) ? 0 : 1))
        {
            logger.LogInformation("Removing link {Link}", link);
            await DeleteAsync(link, cancellationToken);
        }
    }

    /// <summary>An address in CIDR form, written one way (IPv6 compressed).</summary>
    private static string AddressKey(string cidr)
    {
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && System.Net.IPAddress.TryParse(cidr[..slash], out var ip) ? ip + cidr[slash..] : cidr;
    }

    private static void SetSysctl(string key, string value)
    {
        var path = "/proc/sys/" + key;
        if (File.Exists(path))
        {
            File.WriteAllText(path, value);
        }
    }
}
