using System.Net;
using System.Numerics;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Octavia.Core.Configuration;
using Octavia.Core.Drivers;
using Octavia.Core.Model;
using Octavia.Db;

namespace Octavia.Drivers.Local;

/// <summary>
/// The <c>local</c> network driver: networks are Linux bridges on this host, ports are veth pairs into
/// namespaces, addresses come from the database (DESIGN.md "Local network model"). When amphorae are
/// plain processes it keeps the same IPAM on loopback ranges and makes no links.
/// </summary>
public sealed partial class LocalNetworkDriver(
    IServiceScopeFactory scopes,
    IOptions<LocalNetworkOptions> options,
    IOptions<ControllerWorkerOptions> worker,
    LocalIpam ipam,
    TimeProvider time,
    ILogger<LocalNetworkDriver> logger) : INetworkDriver, INetworkApiBackend
{
    public const string DriverName = "network_local_driver";
    public const string PublicName = "public";
    public const string PrivateName = "private";
    public const string ManagementName = "lb-mgmt-net";
    public const string VipOwner = "Octavia";
    public const string AmphoraOwner = "compute:octavia";
    public const string ServerOwner = "compute:octavia-server";

    public string Name => DriverName;

    /// <summary>Whether this driver makes bridges and veths (amphorae in namespaces) or only allocates addresses.</summary>
    public bool MakesLinks => worker.Value.ComputeDriver == "compute_netns_driver";

    private async Task<T> DbAsync<T>(Func<OctaviaDbContext, Task<T>> work)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<OctaviaDbContext>());
    }

    // ---- network init / list / clean -------------------------------------------------------------

    /// <summary>
    /// <c>octavia network init</c>: the three default networks in the database (once) and their bridges
    /// (again after a reboot). Refuses a host-joined CIDR that overlaps anything the host already has. A
    /// default subnet missing from an existing network (the IPv6 ones, on an install older than them) is added.
    /// </summary>
    public async Task<IReadOnlyList<Network>> InitAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        // Loopback ranges (process amphorae) have no IPv6 counterpart: public is IPv4 alone there. Under another
        // network driver these networks are rows for the networking API only, in the documented ranges.
        var loopback = !MakesLinks && worker.Value.NetworkDriver == DriverName;
        var defaults = new (string Name, string[] Cidrs, bool HostJoins, bool External)[]
        {
            (PublicName, loopback ? [o.LoopbackPublicCidr] : [o.PublicCidr, o.PublicIpv6Cidr], true, true),
            (PrivateName, [o.PrivateCidr, o.PrivateIpv6Cidr], false, false),
            (ManagementName, [loopback ? o.LoopbackManagementCidr : o.ManagementCidr], true, false),
        };
        IReadOnlyList<UplinkAddresses.Found> uplink = [];
        if (MakesLinks)
        {
            await HostSafety.CheckAsync(defaults.Where(d => d.HostJoins).SelectMany(d => d.Cidrs).Where(c => c.Length > 0).Select(Cidr.Parse),
                cancellationToken);
            uplink = await UplinkAddresses.DiscoverAsync(o.UplinkHosts, logger, cancellationToken);

            // lb-mgmt-net keeps a route for its whole range (the controller's own network): it may hold none of them.
            HostSafety.CheckUplink(defaults.Where(d => d.HostJoins && !d.External).SelectMany(d => d.Cidrs).Where(c => c.Length > 0).Select(Cidr.Parse),
                uplink);
        }

        var networks = new List<Network>();
        foreach (var (name, cidrs, hostJoins, external) in defaults)
        {
            var network = await DbAsync(db => db.Networks.Include(n => n.Subnets).FirstOrDefaultAsync(n => n.Name == name, cancellationToken));
            var isNew = network is null;
            if (network is null)
            {
                var id = Guid.NewGuid().ToString();
                network = new Network
                {
                    Id = id,
                    Name = name,
                    ProjectId = o.ProjectId,
                    External = external,
                    BridgeName = name switch { PublicName => "octavia-pub", ManagementName => "octavia-mgmt", _ => BridgeNameOf(id) },
                    Mtu = o.Mtu,
                    CreatedAt = time.GetUtcNow().UtcDateTime,
                };
            }

            var added = new List<Subnet>();
            foreach (var cidr in cidrs.Where(c => c.Length > 0).Select(Cidr.Parse))
            {
                var subnetName = DefaultSubnetName(name, cidr.IpVersion);
                if (network.Subnets.All(s => s.Name != subnetName))
                {
                    var subnet = DefaultSubnet(network, subnetName, cidr, hostJoins, o.ProjectId);
                    // One after the other (the IPv4 subnet is the network's first, which a VIP on the network takes).
                    subnet.CreatedAt = (isNew ? network.CreatedAt : time.GetUtcNow().UtcDateTime).AddMilliseconds(network.Subnets.Count);
                    network.Subnets.Add(subnet);
                    added.Add(subnet);
                }
            }

            if (isNew || added.Count > 0)
            {
                var created = network;
                await DbAsync(async db =>
                {
                    if (isNew)
                    {
                        db.Networks.Add(created);
                    }
                    else
                    {
                        db.Subnets.AddRange(added);
                    }

                    return await db.SaveChangesAsync(cancellationToken);
                });
                foreach (var subnet in added)
                {
                    logger.LogInformation("Created subnet {Subnet} {Cidr} on network {Name} ({Id})", subnet.Name, subnet.Cidr, name, network.Id);
                }
            }

            networks.Add(network);
        }

        if (MakesLinks)
        {
            foreach (var network in networks)
            {
                await EnsureBridgeAsync(network, cancellationToken);
            }

            Excluded = await ExcludeUplinkAddressesAsync(uplink, cancellationToken);
            await HostSafety.InstallGuardAsync(networks.Where(n => n.External).SelectMany(n => n.Subnets).Select(s => s.HostAddress).OfType<string>().ToList(),
                logger, cancellationToken);
            await RebuildRoutersAsync(cancellationToken);
        }

        return networks;
    }

    /// <summary>
    /// What the last <c>network init</c> kept out of the networks the host joins because the host reaches it
    /// through its uplink: the address, why (a DNS server, a package source's host), the subnet, and the port
    /// that held it already, if any (then that port's address is not reachable from this host).
    /// </summary>
    public IReadOnlyList<ExcludedAddress> Excluded { get; private set; } = [];

    public sealed record ExcludedAddress(string Address, string Why, string Subnet, string? HeldBy);

    /// <summary>
    /// The host's uplink addresses (DESIGN.md "Host safety"; issue 19) found again, kept out of the IPAM, and
    /// the host routes made to match the allocations (adopting those of a previous run).
    /// </summary>
    private async Task<IReadOnlyList<ExcludedAddress>> ExcludeUplinkAddressesAsync(IReadOnlyList<UplinkAddresses.Found> found, CancellationToken cancellationToken)
    {
        var kept = await ipam.ExcludeAsync(found.Select(f => f.Address).Distinct().ToList(), options.Value.ProjectId, time.GetUtcNow().UtcDateTime,
            cancellationToken);
        var result = kept.Select(k => new ExcludedAddress(k.Address.ToString(),
            string.Join(", ", found.Where(f => f.Address.Equals(k.Address)).Select(f => f.Why).Distinct()), k.Subnet, k.HeldBy)).ToList();
        foreach (var e in result)
        {
            if (e.HeldBy is null)
            {
                logger.LogInformation("Kept {Address} ({Why}) out of {Subnet}: the host reaches it through its uplink", e.Address, e.Why, e.Subnet);
            }
            else
            {
                logger.LogWarning("{Address} ({Why}) is in {Subnet} and already held by {Port}: the host keeps reaching it through its uplink, "
                    + "so that port's address is not reachable from this host; delete what holds it", e.Address, e.Why, e.Subnet, e.HeldBy);
            }
        }

        return result;
    }

    /// <summary>The host routes made to match the allocations again, after ports were deleted outside the driver.</summary>
    public Task SyncHostRoutesAsync(CancellationToken cancellationToken) => ipam.SyncHostRoutesAsync(cancellationToken);

    /// <summary><c>public-subnet</c>, <c>private-ipv6-subnet</c>, <c>lb-mgmt-subnet</c>...</summary>
    private static string DefaultSubnetName(string network, int ipVersion) =>
        (network == ManagementName ? "lb-mgmt" : network) + (ipVersion == 6 ? "-ipv6-subnet" : "-subnet");

    private static Subnet DefaultSubnet(Network network, string name, Cidr cidr, bool hostJoins, string projectId) => new()
    {
        Id = Guid.NewGuid().ToString(),
        NetworkId = network.Id,
        Name = name,
        ProjectId = projectId,
        Cidr = cidr.ToString(),
        IpVersion = cidr.IpVersion,
        // The gateway of a host-joined network is the host; a tenant network has its router at the first address.
        GatewayIp = cidr.At(1).ToString(),
        HostAddress = hostJoins ? cidr.At(1).ToString() : null,
        AllocationStart = cidr.At(2).ToString(),
        // IPv4 keeps its broadcast address out, as Neutron's default pool does; IPv6 has none.
        AllocationEnd = cidr.At(cidr.Last - cidr.First - (cidr.IpVersion == 4 ? 1 : 0)).ToString(),
    };

    public Task<List<Network>> ListAsync(CancellationToken cancellationToken) =>
        DbAsync(db => db.Networks.Include(n => n.Subnets).OrderBy(n => n.CreatedAt).ToListAsync(cancellationToken));

    /// <summary>
    /// <c>octavia network clean</c>: every process in an <c>octavia-</c> namespace stopped, every such
    /// namespace and link removed, the guard table dropped, and the driver's rows deleted.
    /// </summary>
    public async Task CleanAsync(CancellationToken cancellationToken)
    {
        await Links.RemoveEverythingAsync(logger, cancellationToken);
        await HostSafety.RemoveGuardAsync(cancellationToken);
        await DbAsync(async db =>
        {
            await db.FloatingIps.ExecuteDeleteAsync(cancellationToken);
            await db.IpAllocations.ExecuteDeleteAsync(cancellationToken);
            await db.Ports.ExecuteDeleteAsync(cancellationToken);
            await db.Subnets.ExecuteDeleteAsync(cancellationToken);
            return await db.Networks.ExecuteDeleteAsync(cancellationToken);
        });
    }

    private async Task EnsureBridgeAsync(Network network, CancellationToken cancellationToken)
    {
        // On the external network, the host's own address alone (a /32 or /128): it reaches the rest of the
        // range one allocated address at a time (HostRoutes). lb-mgmt-net, the controller's own, keeps its prefix.
        var host = network.Subnets.Where(s => s.HostAddress is not null).OrderBy(s => s.IpVersion)
            .Select(s => network.External ? HostRoutes.HostPrefix(s.HostAddress!) : $"{s.HostAddress}/{Cidr.Parse(s.Cidr).PrefixLength}").ToList();
        await Links.EnsureBridgeAsync(network.BridgeName, MacOf("bridge:" + network.Id, local: true), network.Mtu, host, cancellationToken);
    }

    /// <summary>The bridges of the networks, made again if missing (after a reboot, or a clean by hand).</summary>
    private async Task EnsureBridgeOfAsync(string networkId, CancellationToken cancellationToken)
    {
        var network = await DbAsync(db => db.Networks.Include(n => n.Subnets).FirstAsync(n => n.Id == networkId, cancellationToken));
        await EnsureBridgeAsync(network, cancellationToken);
    }

    /// <summary>
    /// The bridge of a network made through the networking API, when this driver makes links: a tenant
    /// bridge, with no host address (such a network has no subnet the host joins), no IPv6 and no ARP answers.
    /// </summary>
    public async Task EnsureTenantBridgeAsync(Network network, CancellationToken cancellationToken)
    {
        if (MakesLinks && network.Subnets.All(s => s.HostAddress is null))
        {
            await EnsureBridgeAsync(network, cancellationToken);
        }
    }

    /// <summary>The bridge of a deleted tenant network (a network the host joins keeps its bridge: the API refuses to delete it).</summary>
    public async Task RemoveTenantBridgeAsync(Network network, CancellationToken cancellationToken)
    {
        if (MakesLinks && network.Subnets.All(s => s.HostAddress is null) && network.BridgeName.StartsWith(Links.Prefix, StringComparison.Ordinal))
        {
            await Links.DeleteAsync(network.BridgeName, cancellationToken);
        }
    }

    public static string BridgeNameOf(string networkId) => "octavia-b" + networkId.Replace("-", "", StringComparison.Ordinal)[..6];

    // ---- INetworkDriver --------------------------------------------------------------------------

    public async Task<bool> SubnetExistsAsync(string subnetId, CancellationToken cancellationToken) =>
        await DbAsync(db => db.Subnets.AnyAsync(s => s.Id == subnetId, cancellationToken));

    public async Task<int?> SubnetIpVersionAsync(string subnetId, CancellationToken cancellationToken) =>
        await DbAsync(db => db.Subnets.Where(s => s.Id == subnetId).Select(s => (int?)s.IpVersion).FirstOrDefaultAsync(cancellationToken));

    public async Task<VipAllocation> AllocateVipAsync(VipRequest request, CancellationToken cancellationToken)
    {
        if (request.PortId is { } portId)
        {
            var existing = await DbAsync(db => db.Ports.Include(p => p.FixedIps).FirstOrDefaultAsync(p => p.Id == portId, cancellationToken))
                ?? throw new NetworkDriverException($"Port {portId} not found.");
            var ip = VipFixedIp(existing, request);
            return new VipAllocation(existing.Id, ip.SubnetId, existing.NetworkId, ip.IpAddress);
        }

        var subnet = await FindVipSubnetAsync(request, cancellationToken);
        var port = await CreatePortAsync(subnet, "octavia-lb-" + request.LoadBalancerId, request.LoadBalancerId, VipOwner, request.ProjectId,
            request.Address, cancellationToken);
        return new VipAllocation(port.Id, subnet.Id, subnet.NetworkId, port.FixedIps[0].IpAddress);
    }

    /// <summary>
    /// The fixed IP of a user's port that becomes the VIP: the one on the requested subnet or with the requested
    /// address (upstream's checks and texts), else the port's first as the networking API shows it
    /// (<see cref="LocalIpam.InOrder"/>), so the choice never depends on the order rows come back in.
    /// </summary>
    private static IpAllocation VipFixedIp(Port port, VipRequest request)
    {
        var ips = LocalIpam.InOrder(port.FixedIps).ToList();
        if (request.SubnetId is { } subnetId)
        {
            return ips.FirstOrDefault(ip => ip.SubnetId == subnetId)
                ?? throw new NetworkDriverException("Validation failure: No VIP address found on the specified VIP port within the specified subnet.");
        }

        if (request.Address is { } address)
        {
            return ips.FirstOrDefault(ip => IPAddress.TryParse(address, out var wanted) && IPAddress.TryParse(ip.IpAddress, out var held) && wanted.Equals(held))
                ?? throw new NetworkDriverException("Validation failure: Specified VIP address not found on the specified VIP port.");
        }

        return ips.FirstOrDefault() ?? throw new NetworkDriverException($"Port {port.Id} has no fixed IP.");
    }

    private async Task<Subnet> FindVipSubnetAsync(VipRequest request, CancellationToken cancellationToken)
    {
        if (request.SubnetId is { } subnetId)
        {
            return await DbAsync(db => db.Subnets.FirstOrDefaultAsync(s => s.Id == subnetId, cancellationToken))
                ?? throw new NetworkDriverException($"Subnet {subnetId} not found.");
        }

        var networkId = request.NetworkId ?? throw new NetworkDriverException("A VIP needs a subnet, a network or a port.");
        if (!await DbAsync(db => db.Networks.AnyAsync(n => n.Id == networkId, cancellationToken)))
        {
            throw new NetworkDriverException($"Network {networkId} not found.");
        }

        // A network's subnets in the order they were made; the id settles subnets made in the same instant.
        var subnets = await DbAsync(db => db.Subnets.Where(s => s.NetworkId == networkId).OrderBy(s => s.CreatedAt).ThenBy(s => s.Id).ToListAsync(cancellationToken));
        if (request.Address is { } address && IPAddress.TryParse(address, out var ip))
        {
            return subnets.FirstOrDefault(s => Cidr.Parse(s.Cidr).Contains(ip))
                ?? throw new NetworkDriverException("Validation failure: Supplied network does not contain a subnet for VIP address specified.");
        }

        if (subnets.Count == 0)
        {
            throw new NetworkDriverException("Validation failure: Supplied network does not contain a subnet.");
        }

        // Upstream's load balancer API: the subnets with room for the topology's addresses (the VIP and one per
        // amphora: 2 for SINGLE, 3 for ACTIVE_STANDBY), and of those the first IPv4 one, else the first.
        var needed = worker.Value.LoadBalancerTopology == "ACTIVE_STANDBY" ? 3 : 2;
        var roomy = new List<Subnet>();
        foreach (var subnet in subnets)
        {
            if (await FreeAddressesAsync(subnet, cancellationToken) >= needed)
            {
                roomy.Add(subnet);
            }
        }

        return roomy.FirstOrDefault(s => s.IpVersion == 4) ?? roomy.FirstOrDefault()
            ?? throw new NetworkDriverException("Validation failure: Subnet(s) in the supplied network do not contain enough available IPs.");
    }

    /// <summary>Neutron's network IP availability of a subnet: the allocation range less the addresses taken in it.</summary>
    private async Task<BigInteger> FreeAddressesAsync(Subnet subnet, CancellationToken cancellationToken)
    {
        var first = Cidr.ToNumber(IPAddress.Parse(subnet.AllocationStart));
        var last = Cidr.ToNumber(IPAddress.Parse(subnet.AllocationEnd));
        var taken = await DbAsync(db => db.IpAllocations.Where(a => a.SubnetId == subnet.Id).Select(a => a.IpAddress).ToListAsync(cancellationToken));
        var inRange = taken.Concat(new[] { subnet.GatewayIp, subnet.HostAddress }.OfType<string>())
            .Select(a => IPAddress.TryParse(a, out var ip) ? Cidr.ToNumber(ip) : BigInteger.MinusOne)
            .Where(n => n >= first && n <= last)
            .Distinct()
            .Count();
        return last - first + 1 - inRange;
    }

    public async Task DeallocateVipAsync(string loadBalancerId, string? vipPortId, CancellationToken cancellationToken)
    {
        // Only the port this driver made for the load balancer; a port the user brought stays.
        var rows = await PortRowsAsync(p => p.DeviceId == loadBalancerId && p.DeviceOwner == VipOwner, cancellationToken);
        await ReleaseFloatingIpsAsync(rows.Select(r => r.Port.PortId).ToList(), cancellationToken);
        foreach (var row in rows)
        {
            await ForgetNeighbourAsync(row, cancellationToken);
        }

        await DbAsync(db => db.Ports.Where(p => p.DeviceId == loadBalancerId && p.DeviceOwner == VipOwner).ExecuteDeleteAsync(cancellationToken));
        if (rows.Any(r => r.HostJoined))
        {
            await ipam.SyncHostRoutesAsync(cancellationToken);
        }
    }

    public async Task<PluggedPort> PlugAsync(PlugRequest request, CancellationToken cancellationToken)
    {
        var subnet = await DbAsync(db => db.Subnets.Include(s => s.Network).FirstOrDefaultAsync(s => s.Id == request.SubnetId, cancellationToken))
            ?? throw new NetworkDriverException($"Subnet {request.SubnetId} not found.");
        var port = await DbAsync(db => db.Ports.Include(p => p.FixedIps)
            .FirstOrDefaultAsync(p => p.DeviceId == request.DeviceId && p.FixedIps.Any(ip => ip.SubnetId == subnet.Id), cancellationToken));
        port ??= await CreatePortAsync(subnet, request.Name, request.DeviceId, request.DeviceOwner, subnet.ProjectId, request.Address, cancellationToken);

        var bridge = subnet.Network!.BridgeName;
        if (MakesLinks && request.Namespace is { } ns)
        {
            var hostLink = "octavia-v" + port.Id.Replace("-", "", StringComparison.Ordinal)[..6];
            var inside = request.InterfaceName ?? "octavia-p" + port.Id.Replace("-", "", StringComparison.Ordinal)[..6];
            if (port.HostLink is null || !await Links.ExistsAsync(port.HostLink, cancellationToken))
            {
                try
                {
                    await Links.AddVethIntoNamespaceAsync(hostLink, bridge, subnet.Network.Mtu, ns, inside, port.MacAddress, cancellationToken);
                }
                catch (InvalidOperationException)
                {
                    // The bridge is made by network init, and made again only when it went missing (a
                    // reboot, a clean by hand): a failed plug shows that, rather than a look before every plug.
                    if (await Links.ExistsAsync(bridge, cancellationToken))
                    {
                        throw;
                    }

                    await EnsureBridgeOfAsync(subnet.NetworkId, cancellationToken);
                    await Links.AddVethIntoNamespaceAsync(hostLink, bridge, subnet.Network.Mtu, ns, inside, port.MacAddress, cancellationToken);
                }
                var portId = port.Id;
                await DbAsync(db => db.Ports.Where(p => p.Id == portId).ExecuteUpdateAsync(x => x.SetProperty(p => p.HostLink, hostLink), cancellationToken));
            }
        }

        var plugged = ToPlugged(port, subnet, subnet.Network) with { Routes = await RoutesThroughRouterAsync(subnet, cancellationToken) };
        await ForgetNeighbourAsync(new PortRow(plugged, port.HostLink, bridge, subnet.HostAddress is not null), cancellationToken);
        return plugged;
    }

    public async Task UnplugAsync(string portId, CancellationToken cancellationToken)
    {
        await ReleaseFloatingIpsAsync([portId], cancellationToken);
        var rows = await PortRowsAsync(p => p.Id == portId, cancellationToken);
        foreach (var row in rows)
        {
            if (MakesLinks && row.HostLink is { } link)
            {
                await Links.DeleteAsync(link, cancellationToken);
            }

            await ForgetNeighbourAsync(row, cancellationToken);
        }

        await DbAsync(db => db.Ports.Where(p => p.Id == portId).ExecuteDeleteAsync(cancellationToken));
        if (rows.Any(r => r.HostJoined))
        {
            await ipam.SyncHostRoutesAsync(cancellationToken);
        }
    }

    public async Task<IReadOnlyList<PluggedPort>> PortsOfAsync(string deviceId, CancellationToken cancellationToken) =>
        (await PortRowsAsync(p => p.DeviceId == deviceId, cancellationToken)).Select(r => r.Port).ToList();

    /// <summary>A port's address with what its removal needs: the host-side link, the bridge, whether the host is on that subnet.</summary>
    private sealed record PortRow(PluggedPort Port, string? HostLink, string Bridge, bool HostJoined);

    private Task<List<PortRow>> PortRowsAsync(System.Linq.Expressions.Expression<Func<Port, bool>> which, CancellationToken cancellationToken) =>
        DbAsync(db => (
            from p in db.Ports.Where(which)
            from ip in p.FixedIps
            join s in db.Subnets on ip.SubnetId equals s.Id
            join n in db.Networks on s.NetworkId equals n.Id
            select new PortRow(new PluggedPort(p.Id, n.Id, s.Id, p.MacAddress, ip.IpAddress, s.Cidr, s.GatewayIp, n.Mtu), p.HostLink, n.BridgeName,
                s.HostAddress != null)).ToListAsync(cancellationToken));

    /// <summary>
    /// Drops the host's neighbour entry for a port's address on a subnet the host is on. Addresses are
    /// reused (a new amphora takes the management address or VIP a deleted one had, with a new MAC), and a
    /// stale entry would send the host's packets to the old MAC for seconds.
    /// </summary>
    private async Task ForgetNeighbourAsync(PortRow row, CancellationToken cancellationToken)
    {
        if (MakesLinks && row.HostJoined)
        {
            await HostCommand.RunAsync("ip", ["neigh", "flush", "to", row.Port.IpAddress, "dev", row.Bridge], cancellationToken);
        }
    }

    public async Task ForgetNeighbourAsync(string subnetId, string address, CancellationToken cancellationToken)
    {
        if (!MakesLinks)
        {
            return;
        }

        var subnet = await DbAsync(db => db.Subnets.Where(s => s.Id == subnetId)
            .Select(s => new { s.HostAddress, s.Network!.BridgeName }).FirstOrDefaultAsync(cancellationToken));
        if (subnet?.HostAddress is not null)
        {
            await HostCommand.RunAsync("ip", ["neigh", "flush", "to", address, "dev", subnet.BridgeName], cancellationToken);
        }
    }

    /// <summary>The ports of <c>octavia server</c> backends, with their address and subnet.</summary>
    public async Task<List<(string DeviceId, string IpAddress, string SubnetId, string SubnetName)>> ServerPortsAsync(CancellationToken cancellationToken)
    {
        var rows = await DbAsync(db => (
            from p in db.Ports
            from ip in p.FixedIps
            join s in db.Subnets on ip.SubnetId equals s.Id
            where p.DeviceOwner == ServerOwner
            orderby p.CreatedAt
            select new { p.DeviceId, ip.IpAddress, s.Id, s.Name }).ToListAsync(cancellationToken));
        return rows.Select(r => (r.DeviceId, r.IpAddress, r.Id, r.Name)).ToList();
    }

    /// <summary>The management subnet (the agent's address lives there).</summary>
    public async Task<Subnet> ManagementSubnetAsync(CancellationToken cancellationToken) =>
        await DbAsync(db => db.Subnets.FirstOrDefaultAsync(s => s.Network!.Name == ManagementName, cancellationToken))
        ?? (await InitAsync(cancellationToken)).First(n => n.Name == ManagementName).Subnets[0];

    /// <summary>A subnet by id or name (names are how <c>octavia server start --subnet</c> is written).</summary>
    public Task<Subnet?> FindSubnetAsync(string idOrName, CancellationToken cancellationToken) =>
        DbAsync(db => db.Subnets.Include(s => s.Network).FirstOrDefaultAsync(s => s.Id == idOrName || s.Name == idOrName, cancellationToken));

    // ---- IPAM ------------------------------------------------------------------------------------

    private static PluggedPort ToPlugged(Port port, Subnet subnet, Network network) =>
        new(port.Id, network.Id, subnet.Id, port.MacAddress, port.FixedIps.First(ip => ip.SubnetId == subnet.Id).IpAddress,
            subnet.Cidr, subnet.GatewayIp, network.Mtu);

    /// <summary>Creates a port with one address on the subnet: the requested one, or the lowest free one of the allocation range.</summary>
    private async Task<Port> CreatePortAsync(Subnet subnet, string name, string deviceId, string owner, string projectId, string? address,
        CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString();
        var port = new Port
        {
            Id = id,
            NetworkId = subnet.NetworkId,
            Name = name,
            ProjectId = projectId,
            MacAddress = MacOf(id, local: false),
            DeviceId = deviceId,
            DeviceOwner = owner,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        try
        {
            return await ipam.CreatePortAsync(port, [new FixedIpRequest(subnet, address)], cancellationToken);
        }
        catch (IpamException e)
        {
            throw new NetworkDriverException(e.Message);
        }
    }

    /// <summary>
    /// A MAC derived from an id: Neutron's <c>fa:16:3e</c> prefix for ports, a locally administered one
    /// for bridges (a bridge with a fixed MAC does not change address, and flush the host's neighbour
    /// cache, each time a port joins).
    /// </summary>
    public static string MacOf(string seed, bool local)
    {
        var hash = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(seed));
        byte[] mac = local ? [0x02, 0x0c, hash[0], hash[1], hash[2], hash[3]] : [0xfa, 0x16, 0x3e, hash[0], hash[1], hash[2]];
        return string.Join(':', mac.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
    }
}
