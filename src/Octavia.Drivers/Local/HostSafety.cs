using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Octavia.Core.Drivers;

namespace Octavia.Drivers.Local;

/// <summary>
/// What keeps the host out of tenant networks (DESIGN.md "Host safety"): a host-joined network may not
/// overlap anything the host already has, and an nftables table drops whatever the host would forward
/// between an <c>octavia-</c> bridge and any other interface, and whatever reaches the host from a tenant
/// bridge. Traffic within a bridge stays allowed: with br_netfilter loaded, bridged frames pass the
/// forward hook too, in and out through the same bridge.
/// </summary>
public static class HostSafety
{
    public const string GuardTable = "octavia_guard";

    /// <summary>Refuses a CIDR that overlaps an address or a route of the host outside the driver's own links.</summary>
    public static async Task CheckAsync(IEnumerable<Cidr> hostJoined, CancellationToken cancellationToken)
    {
        var taken = await HostPrefixesAsync(cancellationToken);
        foreach (var cidr in hostJoined)
        {
            foreach (var (prefix, where) in taken)
            {
                if (cidr.Overlaps(prefix))
                {
                    throw new NetworkDriverException(
                        $"{cidr} overlaps {prefix} ({where}) on this host; choose another range in [local_network].");
                }
            }
        }
    }

    /// <summary>
    /// Refuses a host-joined CIDR that holds an address the host reaches through its uplink, for a network
    /// whose whole range the host routes to its bridge (<c>lb-mgmt-net</c>): that address would be cut off.
    /// </summary>
    public static void CheckUplink(IEnumerable<Cidr> prefixRouted, IEnumerable<UplinkAddresses.Found> uplink)
    {
        foreach (var cidr in prefixRouted)
        {
            if (uplink.FirstOrDefault(u => cidr.Contains(u.Address)) is { } found)
            {
                throw new NetworkDriverException(
                    $"{cidr} holds {found.Address} ({found.Why}), which this host reaches through its uplink; choose another range in [local_network].");
            }
        }
    }

    /// <summary>The host's addresses and routes (not default routes) that are not on <c>octavia-</c> links.</summary>
    public static async Task<List<(Cidr Prefix, string Where)>> HostPrefixesAsync(CancellationToken cancellationToken)
    {
        var result = new List<(Cidr, string)>();
        using (var addresses = JsonDocument.Parse(await HostCommand.IpAsync(cancellationToken, "-j", "address", "show")))
        {
            foreach (var link in addresses.RootElement.EnumerateArray())
            {
                var name = link.GetProperty("ifname").GetString() ?? "";
                if (name.StartsWith(Links.Prefix, StringComparison.Ordinal) || !link.TryGetProperty("addr_info", out var infos))
                {
                    continue;
                }

                foreach (var info in infos.EnumerateArray())
                {
                    if (info.TryGetProperty("local", out var local) && info.TryGetProperty("prefixlen", out var length)
                        && Cidr.TryParse($"{local.GetString()}/{length.GetInt32()}", out var prefix))
                    {
                        result.Add((prefix, $"address of {name}"));
                    }
                }
            }
        }

        foreach (var family in new[] { "-4", "-6" })
        {
            using var routes = JsonDocument.Parse(await HostCommand.IpAsync(cancellationToken, "-j", family, "route", "show", "table", "all"));
            foreach (var route in routes.RootElement.EnumerateArray())
            {
                var dst = route.TryGetProperty("dst", out var d) ? d.GetString() : null;
                var dev = route.TryGetProperty("dev", out var v) ? v.GetString() ?? "" : "";
                if (dst is null or "default" || dev.StartsWith(Links.Prefix, StringComparison.Ordinal) || dev == "lo")
                {
                    continue;
                }

                var text = dst.Contains('/', StringComparison.Ordinal) ? dst : dst + (IPAddress.TryParse(dst, out var a) && a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "/128" : "/32");
                if (Cidr.TryParse(text, out var prefix))
                {
                    result.Add((prefix, $"route via {dev}"));
                }
            }
        }

        return result;
    }

    /// <summary>
    /// Installs (replaces) the guard table; without nftables on the host it says so and goes on. Packets from
    /// the host's addresses on the external network (<paramref name="externalHostAddresses"/>) never leave
    /// through any other interface: when an allocated address is freed its host route goes, and a socket
    /// still open to it (a FIN, a keep-alive) would otherwise follow the default route out of the uplink.
    /// </summary>
    public static async Task InstallGuardAsync(IReadOnlyCollection<string> externalHostAddresses, ILogger logger, CancellationToken cancellationToken)
    {
        var output = string.Concat(externalHostAddresses.Select(a => IPAddress.TryParse(a, out var ip)
            ? $"\n            oifname != \"octavia-*\" oifname != \"lo\" {(ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? "ip" : "ip6")} saddr {ip} drop"
            : ""));
        var rules = $$"""
            table inet {{GuardTable}}
            delete table inet {{GuardTable}}
            table inet {{GuardTable}} {
                chain forward {
                    type filter hook forward priority -10; policy accept;
                    iifname "octavia-*" oifname != "octavia-*" drop
                    oifname "octavia-*" iifname != "octavia-*" drop
                }
                chain input {
                    type filter hook input priority -10; policy accept;
                    iifname "octavia-b*" drop
                }
                chain output {
                    type filter hook output priority -10; policy accept;{{output}}
                }
            }
            """;
        try
        {
            var result = await HostCommand.RunAsync("nft", ["-f", "-"], cancellationToken, rules);
            if (!result.Ok)
            {
                logger.LogWarning("Could not install the nftables guard table: {Error}", result.Error);
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            logger.LogWarning("nft is not installed: the host relies on ip_forward being off and on its bridges' ARP settings alone");
        }
    }

    public static async Task RemoveGuardAsync(CancellationToken cancellationToken)
    {
        try
        {
            await HostCommand.RunAsync("nft", ["delete", "table", "inet", GuardTable], cancellationToken);
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
    }
}
