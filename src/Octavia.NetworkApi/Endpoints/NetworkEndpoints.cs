using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Octavia.Core.Drivers;
using Octavia.Core.Model;
using Octavia.Db;
using Octavia.Drivers.Local;

namespace Octavia.NetworkApi.Endpoints;

/// <summary><c>/v2.0/networks</c>: the networks of the <c>local</c> network driver.</summary>
public static class NetworkEndpoints
{
    private static readonly HashSet<string> UpdateAttributes =
        ["name", "description", "admin_state_up", "shared", "router:external", "mtu", "port_security_enabled"];

    private static readonly HashSet<string> CreateAttributes = [.. UpdateAttributes, "project_id", "tenant_id", "availability_zone_hints"];

    public static void Map(IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/v2.0/networks");
        group.MapGet("", ListAsync);
        group.MapPost("", CreateAsync);
        group.MapGet("/{id}", ShowAsync);
        group.MapPut("/{id}", UpdateAsync);
        group.MapDelete("/{id}", DeleteAsync);
    }

    /// <summary>The network <paramref name="id"/> when the caller may see it; Neutron's 404 otherwise, as if it did not exist.</summary>
    internal static async Task<Network> FindAsync(HttpContext http, OctaviaDbContext db, string id, bool tracking, CancellationToken cancellationToken)
    {
        var query = tracking ? db.Networks.AsTracking() : db.Networks.AsNoTracking();
        return await NeutronCaller.Of(http).Visible(query).Include(n => n.Subnets).FirstOrDefaultAsync(n => n.Id == id, cancellationToken)
            ?? throw NeutronException.NotFound("Network", id);
    }

    private static async Task<IResult> ListAsync(HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken)
    {
        var networks = await NeutronCaller.Of(http).Visible(db.Networks.AsNoTracking()).Include(n => n.Subnets)
            .OrderBy(n => n.CreatedAt).ThenBy(n => n.Id).ToListAsync(cancellationToken);
        return NeutronQuery.List(http, "networks", networks.Select(NeutronViews.Network));
    }

    private static async Task<IResult> ShowAsync(string id, HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken) =>
        NeutronQuery.Show(http, 200, "network", NeutronViews.Network(await FindAsync(http, db, id, tracking: false, cancellationToken)));

    private static async Task<IResult> CreateAsync(HttpContext http, OctaviaDbContext db, INetworkDriver driver, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var body = await NeutronBody.ReadAsync(http, "network", CreateAttributes);
        var hints = body.List("availability_zone_hints");
        if (hints is { Count: > 0 })
        {
            throw new NeutronException(404, "AvailabilityZoneNotFound", $"AvailabilityZone {NeutronBody.Show(hints[0])} could not be found.");
        }

        // Bridge names keep six hex digits of the id: two networks must never share one (it would join them).
        var bridges = await db.Networks.Select(n => n.BridgeName).ToListAsync(cancellationToken);
        var id = Guid.NewGuid().ToString();
        while (bridges.Contains(LocalNetworkDriver.BridgeNameOf(id)))
        {
            id = Guid.NewGuid().ToString();
        }

        var network = new Network
        {
            Id = id,
            Name = "",
            ProjectId = NeutronCaller.Of(http).ResolveProject(body.Project(), "network"),
            BridgeName = LocalNetworkDriver.BridgeNameOf(id),
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        Apply(body, network);
        db.Networks.Add(network);
        await db.SaveChangesAsync(cancellationToken);
        if (driver is INetworkApiBackend local)
        {
            await local.EnsureTenantBridgeAsync(network, cancellationToken);
        }

        return NeutronQuery.Show(http, 201, "network", NeutronViews.Network(network));
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext http, OctaviaDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await NeutronBody.ReadAsync(http, "network", UpdateAttributes);
        var network = await FindAsync(http, db, id, tracking: true, cancellationToken);
        NeutronCaller.Of(http).EnsureOwns(network.ProjectId, "update_network");
        Apply(body, network);
        network.UpdatedAt = time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        return NeutronQuery.Show(http, 200, "network", NeutronViews.Network(network));
    }

    /// <summary>The attributes a create or an update may set.</summary>
    private static void Apply(NeutronBody body, Network network)
    {
        network.Name = body.String("name") ?? network.Name;
        network.Description = body.String("description") ?? network.Description;
        network.AdminStateUp = body.Bool("admin_state_up") ?? network.AdminStateUp;
        network.Shared = body.Bool("shared") ?? network.Shared;
        network.External = body.Bool("router:external") ?? network.External;
        network.PortSecurityEnabled = body.Bool("port_security_enabled") ?? network.PortSecurityEnabled;
        // 68 is the least IPv4 allows; 9000 the usual largest jumbo frame.
        network.Mtu = body.Int("mtu", 68, 9000) ?? network.Mtu;
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext http, OctaviaDbContext db, INetworkDriver driver, CancellationToken cancellationToken)
    {
        var network = await FindAsync(http, db, id, tracking: false, cancellationToken);
        NeutronCaller.Of(http).EnsureOwns(network.ProjectId, "delete_network");
        // One statement checks and deletes (its subnets go by cascade), so a port created meanwhile is never
        // deleted with the network: either the port is there and nothing is deleted, or the port finds no network.
        var deleted = network.Subnets.Any(s => s.HostAddress is not null)
            ? 0
            : await db.Networks.Where(n => n.Id == id && !db.Ports.Any(p => p.NetworkId == id)).ExecuteDeleteAsync(cancellationToken);
        if (deleted == 0)
        {
            throw new NeutronException(409, "NetworkInUse",
                $"Unable to complete operation on network {id}. There are one or more ports still in use on the network.");
        }

        if (driver is INetworkApiBackend local)
        {
            await local.RemoveTenantBridgeAsync(network, cancellationToken);
        }

        return Results.StatusCode(204);
    }
}
