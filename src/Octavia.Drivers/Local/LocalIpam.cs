using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Octavia.Core.Configuration;
using Octavia.Core.Drivers;
using Octavia.Core.Model;
using Octavia.Db;

namespace Octavia.Drivers.Local;

/// <summary>Why an address could not be given; the Neutron-compatible API names its error after it.</summary>
public enum IpamFailure
{
    /// <summary>Neutron's <c>InvalidIpForSubnet</c> (400).</summary>
    NotInSubnet,

    /// <summary>Neutron's <c>IpAddressAlreadyAllocated</c> (409).</summary>
    AlreadyAllocated,

    /// <summary>Neutron's <c>IpAddressGenerationFailure</c> (409).</summary>
    Exhausted,
}

/// <summary>An address the IPAM cannot give (taken, outside the subnet, none left).</summary>
public sealed class IpamException(IpamFailure failure, string message) : PermanentDriverException(message)
{
    public IpamFailure Failure { get; } = failure;
}

/// <summary>One fixed IP a new port asks for: a subnet and, optionally, the address.</summary>
public sealed record FixedIpRequest(Subnet Subnet, string? IpAddress);

/// <summary>
/// The address management of the <c>local</c> network driver, shared with the Neutron-compatible API:
/// ports and their fixed IPs in the database, the lowest free address of a subnet's allocation range
/// when none is asked for. Two writers racing for an address collide on the (subnet, address) primary
/// key of <c>ip_allocation</c>, and the loser picks again. When the driver makes links, the host reaches
/// each address allocated on the external network it joins (<c>public</c>) through a host route of its own (<see cref="HostRoutes"/>),
/// kept in step with the allocations here.
/// </summary>
public sealed class LocalIpam(IServiceScopeFactory scopes, IOptions<ControllerWorkerOptions> worker, ILogger<LocalIpam> logger)
{
    /// <summary>
    /// The owner of the port that holds, on a network the host joins, the addresses the host reaches through
    /// its uplink (its DNS servers, its package sources): allocated to it, they are never handed out.
    /// </summary>
    public const string UplinkOwner = "network:host_uplink";

    /// <summary>One sync of the host routes at a time in this process (the API, the networking API and the worker share it).</summary>
    private static readonly SemaphoreSlim RoutesLock = new(1, 1);

    /// <summary>Addresses the host reaches through its uplink, as <c>network init</c> found them: never routed to a bridge.</summary>
    private static volatile IReadOnlySet<string> _uplink = new HashSet<string>();

    /// <summary>Whether host routes are kept: only when the driver makes links (amphorae in namespaces).</summary>
    public bool KeepsHostRoutes => worker.Value.ComputeDriver == "compute_netns_driver";

    /// <summary>
    /// Inserts <paramref name="port"/> (its <see cref="Port.FixedIps"/> are replaced) with one address per
    /// request. Throws <see cref="IpamException"/> when an address cannot be given; nothing is stored then.
    /// </summary>
    public Task<Port> CreatePortAsync(Port port, IReadOnlyList<FixedIpRequest> requests, CancellationToken cancellationToken) =>
        AllocateAsync(port, requests, (db, allocations) =>
        {
            port.FixedIps = allocations;
            db.Ports.Add(port);
        }, requests.Any(r => r.Subnet.HostAddress is not null), cancellationToken);

    /// <summary>
    /// Gives an existing port exactly the requested addresses: those it has and asks for again stay, the
    /// others are released, new ones allocated, in one transaction.
    /// </summary>
    public Task<Port> ReplaceFixedIpsAsync(Port port, IReadOnlyList<FixedIpRequest> requests, CancellationToken cancellationToken)
    {
        var before = port.FixedIps.Select(a => (a.SubnetId, a.IpAddress)).ToHashSet();
        return AllocateAsync(port, requests, (db, allocations) =>
        {
            var after = allocations.Select(a => (a.SubnetId, a.IpAddress)).ToHashSet();
            db.IpAllocations.RemoveRange(before.Where(a => !after.Contains(a))
                .Select(a => new IpAllocation { PortId = port.Id, SubnetId = a.SubnetId, IpAddress = a.IpAddress }));
            db.IpAllocations.AddRange(allocations.Where(a => !before.Contains((a.SubnetId, a.IpAddress))));
            port.FixedIps = allocations;
        }, true, cancellationToken);
    }

    private async Task<Port> AllocateAsync(Port port, IReadOnlyList<FixedIpRequest> requests, Action<OctaviaDbContext, List<IpAllocation>> store,
        bool routes, CancellationToken cancellationToken)
    {
        foreach (var request in requests)
        {
            CheckInSubnet(request);
        }

        for (var attempt = 0; ; attempt++)
        {
            var allocations = new List<IpAllocation>();
            foreach (var request in requests)
            {
                var reserved = await ReservedAsync(request.Subnet, port.Id, cancellationToken);
                reserved.UnionWith(allocations.Where(a => a.SubnetId == request.Subnet.Id).Select(a => a.IpAddress));
                if (request.IpAddress is { } wanted && reserved.Contains(Normalize(wanted)))
                {
                    throw AlreadyAllocated(wanted, request.Subnet);
                }

                // The lowest free address; after a collision, one of the first few, so that racing writers spread out.
                var chosen = request.IpAddress is { } given ? Normalize(given) : FirstFree(request.Subnet, reserved, Random.Shared.Next(Math.Min(attempt, 16) + 1))
                    ?? throw new IpamException(IpamFailure.Exhausted, $"No more IP addresses available on network {request.Subnet.NetworkId}.");
                allocations.Add(new IpAllocation { PortId = port.Id, SubnetId = request.Subnet.Id, IpAddress = chosen });
            }

            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<OctaviaDbContext>();
                store(db, allocations);
                await db.SaveChangesAsync(cancellationToken);
                if (routes)
                {
                    await SyncHostRoutesAsync(cancellationToken);
                }

                return port;
            }
            catch (DbUpdateException) when (attempt < 64)
            {
                // Someone took the same address between our read and our insert: read again.
                var asked = requests.FirstOrDefault(r => r.IpAddress is not null);
                if (asked is not null && requests.All(r => r.IpAddress is not null))
                {
                    throw AlreadyAllocated(asked.IpAddress!, asked.Subnet);
                }
            }
        }
    }

    /// <summary>
    /// Makes the host routes match the allocations on the external networks the host joins (<c>public</c>): one route per allocated
    /// address, none for the addresses the host reaches through its uplink. Called after every allocation and
    /// release (it reads everything again, so calls in any order leave the same routes), and by <c>network
    /// init</c> to adopt what exists. Does nothing when the driver makes no links.
    /// </summary>
    public async Task SyncHostRoutesAsync(CancellationToken cancellationToken)
    {
        if (!KeepsHostRoutes)
        {
            return;
        }

        await RoutesLock.WaitAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OctaviaDbContext>();
            var rows = await (
                from ip in db.IpAllocations
                join s in db.Subnets on ip.SubnetId equals s.Id
                join n in db.Networks on s.NetworkId equals n.Id
                join p in db.Ports on ip.PortId equals p.Id
                where s.HostAddress != null && n.External && p.DeviceOwner != UplinkOwner
                select new { n.BridgeName, s.HostAddress, ip.IpAddress }).ToListAsync(cancellationToken);
            var bridges = await db.Networks.Where(n => n.External && n.Subnets.Any(s => s.HostAddress != null)).Select(n => n.BridgeName).ToListAsync(cancellationToken);
            var uplink = _uplink;
            var wanted = rows.Where(r => !uplink.Contains(Normalize(r.IpAddress)))
                .Select(r => new HostRoutes.Route(r.BridgeName, Normalize(r.IpAddress), r.HostAddress!)).ToList();
            var (added, removed) = await HostRoutes.SyncAsync(bridges, wanted, cancellationToken);
            if (added + removed > 0)
            {
                logger.LogDebug("Host routes: {Added} added, {Removed} removed, {Count} in all", added, removed, wanted.Count);
            }
        }
        finally
        {
            RoutesLock.Release();
        }
    }

    /// <summary>
    /// Keeps <paramref name="addresses"/> (those the host reaches through its uplink) out of the external
    /// networks the host joins: each one inside such a subnet is allocated to that network's <see cref="UplinkOwner"/>
    /// port, so that no later allocation takes it, and none is routed to a bridge. An address some other
    /// port already holds cannot be taken back; it is returned with that port so that the caller can say so.
    /// </summary>
    public async Task<List<(IPAddress Address, string Subnet, string? HeldBy)>> ExcludeAsync(IReadOnlyCollection<IPAddress> addresses,
        string projectId, DateTime now, CancellationToken cancellationToken)
    {
        _uplink = addresses.Select(a => a.ToString()).ToHashSet();
        var result = new List<(IPAddress, string, string?)>();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OctaviaDbContext>();
        var subnets = await db.Subnets.Where(s => s.HostAddress != null && s.Network!.External).OrderBy(s => s.CreatedAt).ToListAsync(cancellationToken);
        foreach (var network in subnets.GroupBy(s => s.NetworkId))
        {
            var port = await db.Ports.Include(p => p.FixedIps).AsNoTracking()
                .FirstOrDefaultAsync(p => p.NetworkId == network.Key && p.DeviceOwner == UplinkOwner, cancellationToken);
            var requests = new List<FixedIpRequest>();
            foreach (var address in addresses)
            {
                var subnet = network.FirstOrDefault(s => Cidr.Parse(s.Cidr).Contains(address));
                if (subnet is null)
                {
                    continue;
                }

                var text = address.ToString();
                var holder = await (
                    from a in db.IpAllocations
                    join p in db.Ports on a.PortId equals p.Id
                    where a.SubnetId == subnet.Id && a.IpAddress == text && p.DeviceOwner != UplinkOwner
                    select "port " + p.Id + " (" + p.DeviceOwner + " " + p.DeviceId + ")").FirstOrDefaultAsync(cancellationToken);
                result.Add((address, subnet.Name, holder));
                if (holder is null)
                {
                    requests.Add(new FixedIpRequest(subnet, text));
                }
            }

            if (port is null && requests.Count > 0)
            {
                var id = Guid.NewGuid().ToString();
                await CreatePortAsync(new Port
                {
                    Id = id,
                    NetworkId = network.Key,
                    Name = "octavia-host-uplink",
                    ProjectId = projectId,
                    MacAddress = "00:00:00:00:00:00",
                    DeviceId = "host-uplink",
                    DeviceOwner = UplinkOwner,
                    CreatedAt = now,
                }, requests, cancellationToken);
            }
            else if (port is not null && (requests.Count != port.FixedIps.Count
                || requests.Any(r => port.FixedIps.All(f => f.SubnetId != r.Subnet.Id || f.IpAddress != r.IpAddress))))
            {
                if (requests.Count == 0)
                {
                    await db.Ports.Where(p => p.Id == port.Id).ExecuteDeleteAsync(cancellationToken);
                }
                else
                {
                    await ReplaceFixedIpsAsync(port, requests, cancellationToken);
                }
            }
        }

        await SyncHostRoutesAsync(cancellationToken);
        return result;
    }

    /// <summary>Addresses nobody may take on the subnet: those allocated, the gateway and the host's own.</summary>
    private async Task<HashSet<string>> ReservedAsync(Subnet subnet, string ownPortId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OctaviaDbContext>();
        var used = await db.IpAllocations.Where(a => a.SubnetId == subnet.Id && a.PortId != ownPortId).Select(a => a.IpAddress).ToListAsync(cancellationToken);
        var reserved = new HashSet<string>(used);
        foreach (var address in new[] { subnet.GatewayIp, subnet.HostAddress })
        {
            if (address is not null)
            {
                reserved.Add(Normalize(address));
            }
        }

        return reserved;
    }

    private static void CheckInSubnet(FixedIpRequest request)
    {
        if (request.IpAddress is { } address
            && (!IPAddress.TryParse(address, out var ip) || !Cidr.Parse(request.Subnet.Cidr).Contains(ip)))
        {
            throw new IpamException(IpamFailure.NotInSubnet, $"IP address {address} is not a valid IP for the specified subnet.");
        }
    }

    private static IpamException AlreadyAllocated(string address, Subnet subnet) =>
        new(IpamFailure.AlreadyAllocated, $"IP address {address} already allocated in subnet {subnet.Id}");

    /// <summary>
    /// A port's fixed IPs in the one order everything shows and uses them: IPv4 before IPv6, then by subnet and
    /// address, so that the networking API's answers and a VIP taken from a port never depend on row order.
    /// </summary>
    public static IEnumerable<IpAllocation> InOrder(IEnumerable<IpAllocation> fixedIps) =>
        fixedIps.OrderBy(ip => ip.IpAddress.Contains(':', StringComparison.Ordinal)).ThenBy(ip => ip.SubnetId, StringComparer.Ordinal)
            .ThenBy(ip => ip.IpAddress, StringComparer.Ordinal);

    /// <summary>The canonical text of an address (IPv6 compressed and lower case), as it is stored.</summary>
    public static string Normalize(string address) => IPAddress.TryParse(address, out var ip) ? ip.ToString() : address;

    /// <summary>The free address after <paramref name="skip"/> others (or the last free one), or null when none is free.</summary>
    private static string? FirstFree(Subnet subnet, HashSet<string> used, int skip)
    {
        var cidr = Cidr.Parse(subnet.Cidr);
        var first = Cidr.ToNumber(IPAddress.Parse(subnet.AllocationStart));
        var last = Cidr.ToNumber(IPAddress.Parse(subnet.AllocationEnd));
        string? found = null;
        for (var n = first; n <= last; n++)
        {
            var candidate = Cidr.FromNumber(n, cidr.Bits).ToString();
            if (!used.Contains(candidate))
            {
                found = candidate;
                if (skip-- == 0)
                {
                    break;
                }
            }
        }

        return found;
    }
}
