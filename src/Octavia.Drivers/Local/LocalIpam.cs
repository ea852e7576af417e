using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
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
/// key of <c>ip_allocation</c>, and the loser picks again.
/// </summary>
public sealed class LocalIpam(IServiceScopeFactory scopes)
{
    /// <summary>
    /// Inserts <paramref name="port"/> (its <see cref="Port.FixedIps"/> are replaced) with one address per
    /// request. Throws <see cref="IpamException"/> when an address cannot be given; nothing is stored then.
    /// </summary>
    public Task<Port> CreatePortAsync(Port port, IReadOnlyList<FixedIpRequest> requests, CancellationToken cancellationToken) =>
        AllocateAsync(port, requests, (db, allocations) =>
        {
            port.FixedIps = allocations;
            db.Ports.Add(port);
        }, cancellationToken);

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
        }, cancellationToken);
    }

    private async Task<Port> AllocateAsync(Port port, IReadOnlyList<FixedIpRequest> requests, Action<OctaviaDbContext, List<IpAllocation>> store,
        CancellationToken cancellationToken)
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
