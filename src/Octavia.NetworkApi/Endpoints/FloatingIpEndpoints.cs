using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Octavia.Core.Drivers;
using Octavia.Core.Model;
using Octavia.Db;
using Octavia.Drivers.Local;

namespace Octavia.NetworkApi.Endpoints;

/// <summary>
/// <c>/v2.0/floatingips</c>: addresses of an external network, each held by a <c>network:floatingip</c>
/// port, associated with one fixed IPv4 address of a port on a tenant network. The <c>local</c> driver
/// carries the association in the tenant network's router namespace (DNAT in, SNAT out).
/// </summary>
public static class FloatingIpEndpoints
{
    private static readonly HashSet<string> UpdateAttributes = ["port_id", "fixed_ip_address", "description", "qos_policy_id"];

    private static readonly HashSet<string> CreateAttributes =
        [.. UpdateAttributes, "floating_network_id", "floating_ip_address", "subnet_id", "project_id", "tenant_id"];

    public static void Map(IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/v2.0/floatingips");
        group.MapGet("", ListAsync);
        group.MapPost("", CreateAsync);
        group.MapGet("/{id}", ShowAsync);
        group.MapPut("/{id}", UpdateAsync);
        group.MapDelete("/{id}", DeleteAsync);
    }

    /// <summary>The floating IPs the caller may see and change: its project's (all of them for an admin).</summary>
    private static IQueryable<FloatingIp> Visible(HttpContext http, OctaviaDbContext db)
    {
        var caller = NeutronCaller.Of(http);
        var project = caller.ProjectId;
        return caller.IsAdmin ? db.FloatingIps.AsNoTracking() : db.FloatingIps.AsNoTracking().Where(f => f.ProjectId == project);
    }

    private static async Task<FloatingIp> FindAsync(HttpContext http, OctaviaDbContext db, string id, CancellationToken cancellationToken) =>
        await Visible(http, db).FirstOrDefaultAsync(f => f.Id == id, cancellationToken)
        ?? throw new NeutronException(404, "FloatingIPNotFound", $"Floating IP {id} could not be found");

    private static async Task<JsonObject> ViewAsync(OctaviaDbContext db, FloatingIp floatingIp, CancellationToken cancellationToken)
    {
        var port = floatingIp.FixedPortId is { } portId ? await db.Ports.AsNoTracking().FirstOrDefaultAsync(p => p.Id == portId, cancellationToken) : null;
        return NeutronViews.FloatingIp(floatingIp, port);
    }

    private static async Task<IResult> ListAsync(HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken)
    {
        var floatingIps = await Visible(http, db).OrderBy(f => f.CreatedAt).ThenBy(f => f.Id).ToListAsync(cancellationToken);
        var portIds = floatingIps.Select(f => f.FixedPortId).OfType<string>().ToList();
        var ports = await db.Ports.AsNoTracking().Where(p => portIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, cancellationToken);
        return NeutronQuery.List(http, "floatingips",
            floatingIps.Select(f => NeutronViews.FloatingIp(f, f.FixedPortId is { } id ? ports.GetValueOrDefault(id) : null)));
    }

    private static async Task<IResult> ShowAsync(string id, HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken) =>
        NeutronQuery.Show(http, 200, "floatingip", await ViewAsync(db, await FindAsync(http, db, id, cancellationToken), cancellationToken));

    private static async Task<IResult> CreateAsync(HttpContext http, OctaviaDbContext db, LocalIpam ipam, INetworkDriver driver, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var body = await NeutronBody.ReadAsync(http, "floatingip", CreateAttributes);
        RejectQos(body);
        var networkId = body.String("floating_network_id")
            ?? throw NeutronException.BadRequest("Failed to parse request. Required attribute 'floating_network_id' not specified");
        var network = await NetworkEndpoints.FindAsync(http, db, networkId, tracking: false, cancellationToken);
        if (!network.External)
        {
            throw BadFloatingIp($"Network {networkId} is not a valid external network");
        }

        var address = body.String("floating_ip_address");
        if (address is not null && !(IPAddress.TryParse(address, out var parsed) && parsed.AddressFamily == AddressFamily.InterNetwork))
        {
            throw NeutronException.InvalidAttribute("floating_ip_address", $"'{address}' is not a valid IPv4 address");
        }

        var subnet = PickSubnet(network, body.String("subnet_id"), address);
        var id = Guid.NewGuid().ToString();
        var floatingIp = new FloatingIp
        {
            Id = id,
            ProjectId = NeutronCaller.Of(http).ResolveProject(body.Project(), "floatingip"),
            FloatingNetworkId = network.Id,
            FloatingPortId = "",
            FloatingIpAddress = "",
            Description = body.String("description") ?? "",
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        var association = body.Has("port_id") ? await AssociationAsync(http, db, floatingIp, body.String("port_id", nullable: true),
            body.String("fixed_ip_address", nullable: true), cancellationToken) : null;

        // The address is held by a port of its own, as in Neutron (it shows in the port list of the external network).
        var port = new Port
        {
            Id = Guid.NewGuid().ToString(),
            NetworkId = network.Id,
            // Neutron gives the floating IP's port no project, so tenants do not see it among their ports.
            ProjectId = "",
            MacAddress = "",
            DeviceId = id,
            DeviceOwner = LocalNetworkDriver.FloatingIpOwner,
            CreatedAt = floatingIp.CreatedAt,
        };
        port.MacAddress = LocalNetworkDriver.MacOf(port.Id, local: false);
        await PortEndpoints.RunIpamAsync(() => ipam.CreatePortAsync(port, [new FixedIpRequest(subnet, address)], cancellationToken));
        floatingIp.FloatingPortId = port.Id;
        floatingIp.FloatingIpAddress = port.FixedIps[0].IpAddress;
        Associate(floatingIp, association);
        db.FloatingIps.Add(floatingIp);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another floating IP took the same fixed IP meanwhile: this one's address goes back to the pool.
            db.ChangeTracker.Clear();
            await db.Ports.Where(p => p.Id == port.Id).ExecuteDeleteAsync(cancellationToken);
            if (association is null)
            {
                throw;
            }

            throw AlreadyAssociated(floatingIp, association);
        }

        await SyncAsync(driver, association?.NetworkId, cancellationToken);
        return NeutronQuery.Show(http, 201, "floatingip", await ViewAsync(db, floatingIp, cancellationToken));
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext http, OctaviaDbContext db, INetworkDriver driver, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var body = await NeutronBody.ReadAsync(http, "floatingip", UpdateAttributes);
        RejectQos(body);
        var floatingIp = await FindAsync(http, db, id, cancellationToken);
        var before = floatingIp.FixedPortId is { } oldPort
            ? await db.Ports.Where(p => p.Id == oldPort).Select(p => p.NetworkId).FirstOrDefaultAsync(cancellationToken)
            : null;
        var description = body.String("description");
        Association? association = null;
        var changesAssociation = body.Has("port_id") || body.Has("fixed_ip_address");
        if (changesAssociation)
        {
            var portId = body.Has("port_id") ? body.String("port_id", nullable: true) : floatingIp.FixedPortId;
            var fixedIp = body.String("fixed_ip_address", nullable: true);
            if (portId is null && fixedIp is not null)
            {
                throw BadFloatingIp("fixed_ip_address cannot be specified without a port_id");
            }

            association = await AssociationAsync(http, db, floatingIp, portId, fixedIp, cancellationToken);
            Associate(floatingIp, association);
        }

        floatingIp.Description = description ?? floatingIp.Description;
        floatingIp.UpdatedAt = time.GetUtcNow().UtcDateTime;
        try
        {
            // Through the change tracker: a race for the same fixed IP fails on the unique index as a DbUpdateException.
            db.FloatingIps.Update(floatingIp);
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException) when (association is not null)
        {
            throw AlreadyAssociated(floatingIp, association);
        }

        if (changesAssociation)
        {
            await SyncAsync(driver, before, cancellationToken);
            if (association is not null && association.NetworkId != before)
            {
                await SyncAsync(driver, association.NetworkId, cancellationToken);
            }
        }

        return NeutronQuery.Show(http, 200, "floatingip", await ViewAsync(db, floatingIp, cancellationToken));
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext http, OctaviaDbContext db, INetworkDriver driver, CancellationToken cancellationToken)
    {
        var floatingIp = await FindAsync(http, db, id, cancellationToken);
        var network = floatingIp.FixedPortId is { } portId
            ? await db.Ports.Where(p => p.Id == portId).Select(p => p.NetworkId).FirstOrDefaultAsync(cancellationToken)
            : null;
        // The floating IP goes with its port (cascade), and the address with the port's allocation.
        await db.Ports.Where(p => p.Id == floatingIp.FloatingPortId).ExecuteDeleteAsync(cancellationToken);
        await db.FloatingIps.Where(f => f.Id == id).ExecuteDeleteAsync(cancellationToken);
        await SyncAsync(driver, network, cancellationToken);
        if (driver is INetworkApiBackend local)
        {
            await local.SyncHostRoutesAsync(cancellationToken);
        }
        return Results.StatusCode(204);
    }

    /// <summary>The port and fixed IP a floating IP is to be associated with; null to disassociate.</summary>
    private sealed record Association(string PortId, string FixedIp, string NetworkId);

    private static void Associate(FloatingIp floatingIp, Association? association)
    {
        floatingIp.FixedPortId = association?.PortId;
        floatingIp.FixedIpAddress = association?.FixedIp;
        floatingIp.RouterId = association is null ? null : LocalNetworkDriver.RouterIdOf(association.NetworkId);
    }

    /// <summary>Checks an association with Neutron's rules and errors; null when <paramref name="portId"/> is null.</summary>
    private static async Task<Association?> AssociationAsync(HttpContext http, OctaviaDbContext db, FloatingIp floatingIp, string? portId, string? fixedIp,
        CancellationToken cancellationToken)
    {
        if (portId is null)
        {
            return null;
        }

        var port = await PortEndpoints.FindAsync(http, db, portId, cancellationToken);
        // A port the caller sees is not yet one it may use: the network owner sees other projects' ports on its shared network.
        if (port.ProjectId != floatingIp.ProjectId && !NeutronCaller.Of(http).IsAdmin)
        {
            throw BadFloatingIp($"Cannot process floating IP association with Port {portId}, since that port is owned by a different tenant");
        }

        var ipv4 = port.FixedIps.Where(ip => IPAddress.Parse(ip.IpAddress).AddressFamily == AddressFamily.InterNetwork).ToList();
        IpAllocation chosen;
        if (fixedIp is not null)
        {
            chosen = (IPAddress.TryParse(fixedIp, out var wanted) ? ipv4.FirstOrDefault(ip => ip.IpAddress == wanted.ToString()) : null)
                ?? throw BadFloatingIp($"Port {portId} does not have fixed ip {fixedIp}");
        }
        else
        {
            chosen = ipv4.Count switch
            {
                0 => throw BadFloatingIp($"Port {portId} does not have any fixed IPv4 address to associate a floating IP with"),
                1 => ipv4[0],
                _ => throw BadFloatingIp($"Port {portId} has multiple fixed IPv4 addresses. Must provide a specific IPv4 address when assigning a floating IP"),
            };
        }

        // The port's network, seen or not: a port the caller may use is enough (Neutron checks the port alone).
        var network = await db.Networks.AsNoTracking().Include(n => n.Subnets).FirstAsync(n => n.Id == port.NetworkId, cancellationToken);
        var subnet = network.Subnets.First(s => s.Id == chosen.SubnetId);
        if (network.Id == floatingIp.FloatingNetworkId || !LocalNetworkDriver.HasRouterToExternal(network, subnet))
        {
            throw new NeutronException(404, "ExternalGatewayForFloatingIPNotFound",
                $"External network {floatingIp.FloatingNetworkId} is not reachable from subnet {subnet.Id}. Therefore, cannot associate Port {portId} with a Floating IP.");
        }

        var others = await (
            from f in db.FloatingIps
            join p in db.Ports on f.FixedPortId equals p.Id
            where p.NetworkId == network.Id && f.Id != floatingIp.Id
            select new { f.FixedPortId, f.FixedIpAddress, f.FloatingNetworkId }).ToListAsync(cancellationToken);
        var association = new Association(port.Id, chosen.IpAddress, network.Id);
        if (others.Any(o => o.FixedPortId == port.Id && o.FixedIpAddress == chosen.IpAddress))
        {
            throw AlreadyAssociated(floatingIp, association);
        }

        // The implicit router of a network has one gateway (docs/decisions.md).
        if (others.FirstOrDefault(o => o.FloatingNetworkId != floatingIp.FloatingNetworkId) is { } other)
        {
            throw BadFloatingIp($"The router of network {network.Id} has its gateway on external network {other.FloatingNetworkId}; "
                + $"a floating IP of network {floatingIp.FloatingNetworkId} cannot be associated there");
        }

        return association;
    }

    /// <summary>The subnet to take the address from: the one asked for, the one holding the address, or the first IPv4 one.</summary>
    private static Subnet PickSubnet(Network network, string? subnetId, string? address)
    {
        var ipv4 = network.Subnets.Where(s => s.IpVersion == 4).OrderBy(s => s.CreatedAt).ThenBy(s => s.Id).ToList();
        if (subnetId is not null)
        {
            var subnet = network.Subnets.FirstOrDefault(s => s.Id == subnetId)
                ?? throw BadFloatingIp($"Subnet {subnetId} is not on network {network.Id}");
            return subnet.IpVersion == 4 ? subnet : throw BadFloatingIp($"Subnet {subnetId} is not an IPv4 subnet");
        }

        if (address is not null)
        {
            var ip = IPAddress.Parse(address);
            return ipv4.FirstOrDefault(s => Cidr.Parse(s.Cidr).Contains(ip))
                ?? throw new NeutronException(400, "InvalidIpForNetwork", $"IP address {address} is not a valid IP for any of the subnets on the specified network.");
        }

        return ipv4.FirstOrDefault() ?? throw BadFloatingIp($"Network {network.Id} does not contain any IPv4 subnet");
    }

    /// <summary>No QoS on this cloud: only the neutral value is taken.</summary>
    private static void RejectQos(NeutronBody body)
    {
        if (body.String("qos_policy_id", nullable: true) is { } policy)
        {
            throw new NeutronException(404, "QosPolicyNotFound", $"QoS policy {policy} could not be found.");
        }
    }

    private static NeutronException BadFloatingIp(string message) => new(400, "BadRequest", $"Bad floatingip request: {message}.");

    private static NeutronException AlreadyAssociated(FloatingIp floatingIp, Association association) =>
        new(409, "FloatingIPPortAlreadyAssociated",
            $"Cannot associate floating IP {floatingIp.FloatingIpAddress} ({floatingIp.Id}) with port {association.PortId} using fixed IP "
            + $"{association.FixedIp}, as that fixed IP already has a floating IP on external network {floatingIp.FloatingNetworkId}.");

    private static async Task SyncAsync(INetworkDriver driver, string? networkId, CancellationToken cancellationToken)
    {
        if (networkId is not null && driver is INetworkApiBackend local)
        {
            await local.SyncRouterAsync(networkId, cancellationToken);
        }
    }
}
