using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Octavia.Core.Model;

namespace Octavia.Drivers.Local;

/// <summary>
/// Floating IPs on the data path (DESIGN.md "Local network model"): each tenant network with a floating IP
/// associated gets a router namespace, <c>octavia-r</c> plus six hex digits of the network id, with one leg
/// on the external network's bridge (its gateway port's address and the floating addresses) and one on the
/// tenant bridge holding the subnet's gateway IP. nftables in that namespace turns each floating address
/// into its fixed IP and back. The host never joins the tenant network; the router forwards only between
/// its two legs, and only for the associated fixed IPs.
/// </summary>
public sealed partial class LocalNetworkDriver
{
    public const string FloatingIpOwner = "network:floatingip";
    public const string RouterGatewayOwner = "network:router_gateway";

    /// <summary>The router's legs inside its namespace (the host ends are <c>octavia-g…</c> and <c>octavia-i…</c>).</summary>
    private const string GatewayLeg = "octavia-gw";
    private const string InterfaceLeg = "octavia-lan";
    private const string RouterTable = "octavia_router";

    /// <summary>One router at a time: a sync reads the database and makes the namespace match it.</summary>
    private readonly SemaphoreSlim _routers = new(1, 1);

    private sealed record FloatingPair(string FloatingNetworkId, string FloatingAddress, string FixedAddress);

    /// <summary>The id of the implicit router of a tenant network: stable, so it needs no table of its own.</summary>
    public static string RouterIdOf(string networkId) =>
        new Guid(SHA256.HashData(Encoding.UTF8.GetBytes("router:" + networkId)).AsSpan(0, 16)).ToString();

    public static string RouterNamespaceOf(string networkId) => "octavia-r" + Hex6(networkId);

    private static string Hex6(string id) => id.Replace("-", "", StringComparison.Ordinal)[..6];

    /// <summary>
    /// Whether a port on this subnet can have a floating IP: a tenant subnet (not external, not joined by the
    /// host) with an IPv4 gateway for its router to hold.
    /// </summary>
    public static bool HasRouterToExternal(Network network, Subnet subnet) =>
        !network.External && subnet.HostAddress is null && subnet.IpVersion == 4 && subnet.GatewayIp is not null;

    /// <summary>
    /// Routes a port on <paramref name="subnet"/> needs to answer clients of floating IPs: each external
    /// IPv4 range through the subnet's gateway, where the router sits. None on networks the host joins.
    /// </summary>
    private async Task<IReadOnlyList<(string Destination, string Nexthop)>?> RoutesThroughRouterAsync(Subnet subnet, CancellationToken cancellationToken)
    {
        if (subnet.Network is not { } network || !HasRouterToExternal(network, subnet))
        {
            return null;
        }

        var external = await DbAsync(db => db.Subnets.Where(s => s.Network!.External && s.IpVersion == 4).Select(s => s.Cidr).ToListAsync(cancellationToken));
        return external.Select(cidr => (cidr, subnet.GatewayIp!)).ToList();
    }

    /// <summary>
    /// Frees the floating IPs associated with ports about to go (as Neutron does when a port is deleted) and
    /// takes their translations out of the routers.
    /// </summary>
    public async Task ReleaseFloatingIpsAsync(IReadOnlyCollection<string> portIds, CancellationToken cancellationToken)
    {
        var networks = await DbAsync(db => (
            from f in db.FloatingIps
            join p in db.Ports on f.FixedPortId equals p.Id
            where portIds.Contains(p.Id)
            select p.NetworkId).Distinct().ToListAsync(cancellationToken));
        if (networks.Count == 0)
        {
            return;
        }

        var now = time.GetUtcNow().UtcDateTime;
        await DbAsync(db => db.FloatingIps.Where(f => f.FixedPortId != null && portIds.Contains(f.FixedPortId)).ExecuteUpdateAsync(x => x
            .SetProperty(f => f.FixedPortId, (string?)null)
            .SetProperty(f => f.FixedIpAddress, (string?)null)
            .SetProperty(f => f.RouterId, (string?)null)
            .SetProperty(f => f.UpdatedAt, now), cancellationToken));
        foreach (var network in networks)
        {
            await SyncRouterAsync(network, cancellationToken);
        }
    }

    /// <summary>The routers of every network with a floating IP associated, made again (after a reboot, by <c>network init</c>).</summary>
    private async Task RebuildRoutersAsync(CancellationToken cancellationToken)
    {
        var networks = await DbAsync(db => (
            from f in db.FloatingIps
            join p in db.Ports on f.FixedPortId equals p.Id
            select p.NetworkId).Distinct().ToListAsync(cancellationToken));
        foreach (var network in networks)
        {
            try
            {
                await SyncRouterAsync(network, cancellationToken);
            }
            catch (InvalidOperationException e)
            {
                // One broken router must not keep the cloud from starting; it is made again at the next association.
                logger.LogWarning("Could not rebuild the router of network {NetworkId}: {Error}", network, e.Message);
            }
        }
    }

    /// <summary>
    /// Makes the router of a tenant network match the database: gone when no floating IP is associated on
    /// it, otherwise present with exactly the associated pairs. Safe to run any number of times.
    /// </summary>
    public async Task SyncRouterAsync(string networkId, CancellationToken cancellationToken)
    {
        if (!MakesLinks)
        {
            return;
        }

        await _routers.WaitAsync(cancellationToken);
        try
        {
            await SyncRouterLockedAsync(networkId, cancellationToken);
        }
        finally
        {
            _routers.Release();
        }
    }

    private async Task SyncRouterLockedAsync(string networkId, CancellationToken cancellationToken)
    {
        var routerId = RouterIdOf(networkId);
        var pairs = await DbAsync(db => (
            from f in db.FloatingIps
            join p in db.Ports on f.FixedPortId equals p.Id
            where p.NetworkId == networkId && f.FixedIpAddress != null
            orderby f.CreatedAt, f.Id
            select new FloatingPair(f.FloatingNetworkId, f.FloatingIpAddress, f.FixedIpAddress!)).ToListAsync(cancellationToken));
        if (pairs.Count == 0)
        {
            await RemoveRouterAsync(networkId, cancellationToken);
            return;
        }

        // A router has one gateway: the API lets a network's floating IPs come from one external network only.
        var externalId = pairs[0].FloatingNetworkId;
        pairs = pairs.Where(p => p.FloatingNetworkId == externalId).ToList();
        var tenant = await DbAsync(db => db.Networks.Include(n => n.Subnets).FirstAsync(n => n.Id == networkId, cancellationToken));
        var external = await DbAsync(db => db.Networks.Include(n => n.Subnets).FirstAsync(n => n.Id == externalId, cancellationToken));
        var gateway = await GatewayPortAsync(routerId, tenant, external, cancellationToken);
        var gatewayIp = gateway.FixedIps[0];
        var gatewaySubnet = external.Subnets.First(s => s.Id == gatewayIp.SubnetId);

        foreach (var network in new[] { external, tenant })
        {
            if (!await Links.ExistsAsync(network.BridgeName, cancellationToken))
            {
                await EnsureBridgeAsync(network, cancellationToken);
            }
        }

        var ns = RouterNamespaceOf(networkId);
        var hostGateway = "octavia-g" + Hex6(networkId);
        var hostInterface = "octavia-i" + Hex6(networkId);
        await Links.EnsureNamespaceAsync(ns, cancellationToken);
        if (!await Links.ExistsAsync(hostGateway, cancellationToken))
        {
            await Links.AddVethIntoNamespaceAsync(hostGateway, external.BridgeName, external.Mtu, ns, GatewayLeg, gateway.MacAddress, cancellationToken);
        }

        if (!await Links.ExistsAsync(hostInterface, cancellationToken))
        {
            await Links.AddVethIntoNamespaceAsync(hostInterface, tenant.BridgeName, tenant.Mtu, ns, InterfaceLeg,
                MacOf("router-interface:" + networkId, local: false), cancellationToken);
        }

        // Forwarding on in this namespace only; each leg answers ARP for its own addresses alone, and no IPv6.
        await HostCommand.CheckedAsync("ip", ["netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1", "net.ipv4.conf.all.arp_ignore=1",
            "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"], cancellationToken);
        var prefix = Cidr.Parse(gatewaySubnet.Cidr).PrefixLength.ToString(CultureInfo.InvariantCulture);
        await SetAddressesAsync(ns, GatewayLeg,
            [$"{gatewayIp.IpAddress}/{prefix}", .. pairs.Select(p => p.FloatingAddress + "/32")], cancellationToken);
        await SetAddressesAsync(ns, InterfaceLeg, tenant.Subnets.Where(s => HasRouterToExternal(tenant, s))
            .Select(s => $"{s.GatewayIp}/{Cidr.Parse(s.Cidr).PrefixLength.ToString(CultureInfo.InvariantCulture)}").ToList(), cancellationToken);
        await HostCommand.IpAsync(cancellationToken, "-n", ns, "link", "set", GatewayLeg, "up");
        await HostCommand.IpAsync(cancellationToken, "-n", ns, "link", "set", InterfaceLeg, "up");
        await HostCommand.CheckedAsync("ip", ["netns", "exec", ns, "nft", "-f", "-"], cancellationToken, TranslationRules(pairs));

        // A VIP deleted and made again answers at the same address with a new MAC; a new gateway port has a
        // new MAC for the floating addresses: neither the router nor the host may keep the old ones.
        await HostCommand.RunAsync("ip", ["-n", ns, "neigh", "flush", "dev", InterfaceLeg], cancellationToken);
        foreach (var address in pairs.Select(p => p.FloatingAddress).Append(gatewayIp.IpAddress))
        {
            await ForgetNeighbourAsync(gatewaySubnet.Id, address, cancellationToken);
        }

        logger.LogInformation("Router {Namespace} of network {NetworkId}: {Count} floating IP(s) through {Gateway}", ns, networkId, pairs.Count,
            gatewayIp.IpAddress);
    }

    /// <summary>
    /// The router's nftables table, replaced whole: DNAT of each floating address to its fixed IP on the way
    /// in, SNAT on the way out, and a forward chain that passes nothing else between the legs.
    /// </summary>
    private static string TranslationRules(IReadOnlyList<FloatingPair> pairs)
    {
        var rules = new StringBuilder();
        rules.AppendLine(CultureInfo.InvariantCulture, $"table ip {RouterTable}");
        rules.AppendLine(CultureInfo.InvariantCulture, $"delete table ip {RouterTable}");
        rules.AppendLine(CultureInfo.InvariantCulture, $"table ip {RouterTable} {{");
        rules.AppendLine("  chain prerouting {");
        rules.AppendLine("    type nat hook prerouting priority dstnat; policy accept;");
        foreach (var p in pairs)
        {
            rules.AppendLine(CultureInfo.InvariantCulture, $"    iifname \"{GatewayLeg}\" ip daddr {p.FloatingAddress} dnat to {p.FixedAddress}");
        }

        rules.AppendLine("  }");
        rules.AppendLine("  chain postrouting {");
        rules.AppendLine("    type nat hook postrouting priority srcnat; policy accept;");
        foreach (var p in pairs)
        {
            rules.AppendLine(CultureInfo.InvariantCulture, $"    oifname \"{GatewayLeg}\" ip saddr {p.FixedAddress} snat to {p.FloatingAddress}");
        }

        rules.AppendLine("  }");
        rules.AppendLine("  chain forward {");
        rules.AppendLine("    type filter hook forward priority filter; policy drop;");
        rules.AppendLine("    ct state established,related accept");
        foreach (var p in pairs)
        {
            rules.AppendLine(CultureInfo.InvariantCulture, $"    iifname \"{GatewayLeg}\" oifname \"{InterfaceLeg}\" ip daddr {p.FixedAddress} accept");
            rules.AppendLine(CultureInfo.InvariantCulture, $"    iifname \"{InterfaceLeg}\" oifname \"{GatewayLeg}\" ip saddr {p.FixedAddress} accept");
        }

        rules.AppendLine("  }");
        rules.AppendLine("}");
        return rules.ToString();
    }

    /// <summary>Gives a leg exactly these addresses (CIDR form): missing ones added, others removed.</summary>
    private static async Task SetAddressesAsync(string ns, string leg, IReadOnlyList<string> wanted, CancellationToken cancellationToken)
    {
        using var doc = JsonDocument.Parse(await HostCommand.IpAsync(cancellationToken, "-n", ns, "-j", "-4", "addr", "show", "dev", leg));
        var present = doc.RootElement.EnumerateArray()
            .SelectMany(l => l.TryGetProperty("addr_info", out var info) ? info.EnumerateArray() : Enumerable.Empty<JsonElement>())
            .Select(a => $"{a.GetProperty("local").GetString()}/{a.GetProperty("prefixlen").GetInt32().ToString(CultureInfo.InvariantCulture)}")
            .ToList();
        foreach (var address in present.Except(wanted))
        {
            await HostCommand.IpAsync(cancellationToken, "-n", ns, "addr", "del", address, "dev", leg);
        }

        foreach (var address in wanted.Except(present))
        {
            await HostCommand.IpAsync(cancellationToken, "-n", ns, "addr", "replace", address, "dev", leg);
        }
    }

    /// <summary>The router's port on the external network (Neutron's <c>network:router_gateway</c>), made on first use.</summary>
    private async Task<Port> GatewayPortAsync(string routerId, Network tenant, Network external, CancellationToken cancellationToken)
    {
        var existing = await DbAsync(db => db.Ports.Include(p => p.FixedIps)
            .FirstOrDefaultAsync(p => p.DeviceOwner == RouterGatewayOwner && p.DeviceId == routerId, cancellationToken));
        if (existing is not null && existing.NetworkId == external.Id && existing.FixedIps.Count > 0)
        {
            return existing;
        }

        if (existing is not null)
        {
            await DbAsync(db => db.Ports.Where(p => p.Id == existing.Id).ExecuteDeleteAsync(cancellationToken));
            await ipam.SyncHostRoutesAsync(cancellationToken);
        }

        var subnet = external.Subnets.Where(s => s.IpVersion == 4).OrderBy(s => s.CreatedAt).FirstOrDefault()
            ?? throw new InvalidOperationException($"External network {external.Id} has no IPv4 subnet for a router gateway.");
        return await CreatePortAsync(subnet, "", routerId, RouterGatewayOwner, tenant.ProjectId, null, cancellationToken);
    }

    /// <summary>The router namespace (its veths go with it) and its gateway port, gone.</summary>
    private async Task RemoveRouterAsync(string networkId, CancellationToken cancellationToken)
    {
        var ns = RouterNamespaceOf(networkId);
        if ((await Links.NamespacesAsync(cancellationToken)).Contains(ns))
        {
            await Links.DeleteNamespaceAsync(ns, cancellationToken);
            logger.LogInformation("Removed router {Namespace} of network {NetworkId}", ns, networkId);
        }

        await Links.DeleteAsync("octavia-g" + Hex6(networkId), cancellationToken);
        await Links.DeleteAsync("octavia-i" + Hex6(networkId), cancellationToken);
        var routerId = RouterIdOf(networkId);
        if (await DbAsync(db => db.Ports.Where(p => p.DeviceOwner == RouterGatewayOwner && p.DeviceId == routerId).ExecuteDeleteAsync(cancellationToken)) > 0)
        {
            await ipam.SyncHostRoutesAsync(cancellationToken);
        }
    }
}
