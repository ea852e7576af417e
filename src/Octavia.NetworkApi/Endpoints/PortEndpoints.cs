using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
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
/// <c>/v2.0/ports</c>: the ports of the <c>local</c> network driver (VIPs, amphora NICs, backend servers)
/// and ports users make, with addresses from the same IPAM.
/// </summary>
public static partial class PortEndpoints
{
    private static readonly HashSet<string> UpdateAttributes =
        ["name", "description", "admin_state_up", "device_id", "device_owner", "fixed_ips", "mac_address", "security_groups",
        "port_security_enabled", "binding:host_id", "binding:vnic_type", "binding:profile", "allowed_address_pairs", "extra_dhcp_opts"];

    private static readonly HashSet<string> CreateAttributes = [.. UpdateAttributes, "network_id", "project_id", "tenant_id"];

    public static void Map(IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/v2.0/ports");
        group.MapGet("", ListAsync);
        group.MapPost("", CreateAsync);
        group.MapGet("/{id}", ShowAsync);
        group.MapPut("/{id}", UpdateAsync);
        group.MapDelete("/{id}", DeleteAsync);
    }

    /// <summary>The port <paramref name="id"/> when the caller may see it; Neutron's 404 otherwise.</summary>
    internal static async Task<Port> FindAsync(HttpContext http, OctaviaDbContext db, string id, CancellationToken cancellationToken) =>
        await NeutronCaller.Of(http).Visible(db.Ports.AsNoTracking(), db).Include(p => p.FixedIps).FirstOrDefaultAsync(p => p.Id == id, cancellationToken)
        ?? throw NeutronException.NotFound("Port", id);

    private static async Task<bool> PortSecurityAsync(OctaviaDbContext db, string networkId, CancellationToken cancellationToken) =>
        await db.Networks.Where(n => n.Id == networkId).Select(n => n.PortSecurityEnabled).FirstOrDefaultAsync(cancellationToken);

    private static async Task<IResult> ListAsync(HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken)
    {
        var ports = await NeutronCaller.Of(http).Visible(db.Ports.AsNoTracking(), db).Include(p => p.FixedIps)
            .OrderBy(p => p.CreatedAt).ThenBy(p => p.Id).ToListAsync(cancellationToken);
        var security = await db.Networks.ToDictionaryAsync(n => n.Id, n => n.PortSecurityEnabled, cancellationToken);
        return NeutronQuery.List(http, "ports", ports.Select(p => NeutronViews.Port(p, security.GetValueOrDefault(p.NetworkId, true))));
    }

    private static async Task<IResult> ShowAsync(string id, HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken)
    {
        var port = await FindAsync(http, db, id, cancellationToken);
        return NeutronQuery.Show(http, 200, "port", NeutronViews.Port(port, await PortSecurityAsync(db, port.NetworkId, cancellationToken)));
    }

    private static async Task<IResult> CreateAsync(HttpContext http, OctaviaDbContext db, LocalIpam ipam, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await NeutronBody.ReadAsync(http, "port", CreateAttributes);
        RejectUnsupported(body);
        var networkId = body.String("network_id") ?? throw NeutronException.BadRequest("Failed to parse request. Required attribute 'network_id' not specified");
        var network = await NetworkEndpoints.FindAsync(http, db, networkId, tracking: false, cancellationToken);
        var caller = NeutronCaller.Of(http);
        var project = caller.ResolveProject(body.Project(), "port");
        if (!caller.IsAdmin && !network.Shared && network.ProjectId != project)
        {
            // Neutron's _validate_network_tenant_ownership: an external network is seen by all but not open to their ports.
            throw new NeutronException(403, "HTTPForbidden", $"Tenant {project} not allowed to create port on this network");
        }

        var id = Guid.NewGuid().ToString();
        var port = new Port
        {
            Id = id,
            NetworkId = networkId,
            ProjectId = project,
            MacAddress = LocalNetworkDriver.MacOf(id, local: false),
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        Apply(body, port);
        if (body.String("mac_address") is { } mac)
        {
            port.MacAddress = await CheckMacAsync(db, network.Id, mac, cancellationToken);
        }

        var requests = body.Has("fixed_ips") ? FixedIps(body, network) : DefaultFixedIps(network);
        await RunIpamAsync(() => ipam.CreatePortAsync(port, requests, cancellationToken));
        return NeutronQuery.Show(http, 201, "port", NeutronViews.Port(port, network.PortSecurityEnabled));
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext http, OctaviaDbContext db, LocalIpam ipam, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var body = await NeutronBody.ReadAsync(http, "port", UpdateAttributes);
        RejectUnsupported(body);
        var port = await FindAsync(http, db, id, cancellationToken);
        NeutronCaller.Of(http).EnsureOwns(port.ProjectId, "update_port");
        // The port's network, even one the caller does not see (an admin may have made the port there for it).
        var network = await db.Networks.AsNoTracking().Include(n => n.Subnets).FirstAsync(n => n.Id == port.NetworkId, cancellationToken);
        if (port.HostLink is not null && (body.Has("fixed_ips") || body.Has("mac_address")))
        {
            // The namespace behind the link was configured with these; part of the data path, not of this API.
            throw new NeutronException(409, "PortInUse",
                $"Unable to complete operation on port {id} for network {port.NetworkId}. Port already has an attached device {port.DeviceId}.");
        }

        Apply(body, port);
        if (body.String("mac_address") is { } mac && !string.Equals(mac, port.MacAddress, StringComparison.OrdinalIgnoreCase))
        {
            port.MacAddress = await CheckMacAsync(db, network.Id, mac, cancellationToken);
        }

        port.UpdatedAt = time.GetUtcNow().UtcDateTime;
        if (body.Has("fixed_ips"))
        {
            var requests = FixedIps(body, network);
            await RunIpamAsync(() => ipam.ReplaceFixedIpsAsync(port, requests, cancellationToken));
        }

        await db.Ports.Where(p => p.Id == id).ExecuteUpdateAsync(x => x
            .SetProperty(p => p.Name, port.Name)
            .SetProperty(p => p.Description, port.Description)
            .SetProperty(p => p.AdminStateUp, port.AdminStateUp)
            .SetProperty(p => p.DeviceId, port.DeviceId)
            .SetProperty(p => p.DeviceOwner, port.DeviceOwner)
            .SetProperty(p => p.MacAddress, port.MacAddress)
            .SetProperty(p => p.UpdatedAt, port.UpdatedAt), cancellationToken);
        return NeutronQuery.Show(http, 200, "port", NeutronViews.Port(port, network.PortSecurityEnabled));
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext http, OctaviaDbContext db, INetworkDriver driver, CancellationToken cancellationToken)
    {
        // Visible means owned, or on a network of the caller's project, whose owner may delete it (Neutron's delete_port rule).
        var port = await FindAsync(http, db, id, cancellationToken);
        if (port.DeviceOwner is LocalNetworkDriver.FloatingIpOwner or LocalNetworkDriver.RouterGatewayOwner)
        {
            // Neutron's rule: these go with their floating IP or router, never through the port API.
            throw new NeutronException(409, "ServicePortInUse",
                $"Port {id} cannot be deleted directly via the port API: has device owner {port.DeviceOwner}.");
        }

        if (driver is INetworkApiBackend releasing)
        {
            await releasing.ReleaseFloatingIpsAsync([id], cancellationToken);
        }

        if (port.HostLink is not null && driver is INetworkApiBackend local)
        {
            // A plugged port takes its veth with it, as a Neutron port takes its tap device.
            await local.UnplugAsync(id, cancellationToken);
        }
        else
        {
            await db.Ports.Where(p => p.Id == id).ExecuteDeleteAsync(cancellationToken);
            if (driver is INetworkApiBackend routed)
            {
                // The host's route to the freed address goes with it.
                await routed.SyncHostRoutesAsync(cancellationToken);
            }
        }

        return Results.StatusCode(204);
    }

    /// <summary>The attributes of a create or an update that need no check against other rows.</summary>
    private static void Apply(NeutronBody body, Port port)
    {
        port.Name = body.String("name") ?? port.Name;
        port.Description = body.String("description") ?? port.Description;
        port.AdminStateUp = body.Bool("admin_state_up") ?? port.AdminStateUp;
        port.DeviceId = body.String("device_id") ?? port.DeviceId;
        port.DeviceOwner = body.String("device_owner") ?? port.DeviceOwner;
    }

    /// <summary>
    /// Attributes of extensions this cloud has no data path for take only their neutral value, so that a
    /// client is never told something was applied when it was not.
    /// </summary>
    private static void RejectUnsupported(NeutronBody body)
    {
        if (body.List("security_groups") is { Count: > 0 } groups)
        {
            throw new NeutronException(404, "SecurityGroupNotFound", $"Security group {groups[0].GetRawText().Trim('"')} does not exist");
        }

        foreach (var name in new[] { "allowed_address_pairs", "extra_dhcp_opts" })
        {
            if (body.List(name) is { Count: > 0 })
            {
                throw NeutronException.InvalidAttribute(name, "not supported by this cloud");
            }
        }

        _ = body.Bool("port_security_enabled");
        if (body.String("binding:vnic_type") is { } vnic && vnic != "normal")
        {
            throw NeutronException.InvalidAttribute("binding:vnic_type", $"'{vnic}' is not in [normal]");
        }

        if (body.String("binding:host_id") is { Length: > 0 } host)
        {
            throw NeutronException.InvalidAttribute("binding:host_id", $"'{host}' is not a host of this cloud");
        }

        if (body.Raw("binding:profile") is { } profile && !(profile.ValueKind == JsonValueKind.Object && !profile.EnumerateObject().Any()))
        {
            throw NeutronException.InvalidAttribute("binding:profile", "only {} is supported");
        }
    }

    [GeneratedRegex("^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$")]
    private static partial Regex MacPattern();

    private static async Task<string> CheckMacAsync(OctaviaDbContext db, string networkId, string mac, CancellationToken cancellationToken)
    {
        var first = mac.Length >= 2 && byte.TryParse(mac.AsSpan(0, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b) ? b : 0;
        if (!MacPattern().IsMatch(mac) || (first & 1) == 1 || mac.Trim('0', ':').Length == 0)
        {
            throw NeutronException.InvalidAttribute("mac_address", $"'{mac}' is not a valid MAC address");
        }

        var normalized = mac.ToLowerInvariant();
        if (await db.Ports.AnyAsync(p => p.NetworkId == networkId && p.MacAddress == normalized, cancellationToken))
        {
            throw new NeutronException(409, "MacAddressInUse", $"Unable to complete operation for network {networkId}. The mac address {normalized} is in use.");
        }

        return normalized;
    }

    /// <summary>Neutron's default: one address from the first IPv4 subnet and one from each IPv6 subnet.</summary>
    private static List<FixedIpRequest> DefaultFixedIps(Network network)
    {
        var subnets = network.Subnets.OrderBy(s => s.CreatedAt).ThenBy(s => s.Id).ToList();
        return subnets.Where(s => s.IpVersion == 4).Take(1).Concat(subnets.Where(s => s.IpVersion == 6))
            .Select(s => new FixedIpRequest(s, null)).ToList();
    }

    private static List<FixedIpRequest> FixedIps(NeutronBody body, Network network)
    {
        var requests = new List<FixedIpRequest>();
        foreach (var entry in body.List("fixed_ips")!)
        {
            if (entry.ValueKind != JsonValueKind.Object || entry.EnumerateObject().Any(p => p.Name is not ("subnet_id" or "ip_address")))
            {
                throw NeutronException.InvalidAttribute("fixed_ips", $"{NeutronBody.Show(entry)} is not a list of subnet_id and ip_address");
            }

            var subnetId = entry.TryGetProperty("subnet_id", out var s) ? Text(s, "subnet_id") : null;
            var address = entry.TryGetProperty("ip_address", out var a) ? Text(a, "ip_address") : null;
            if (address is not null && !IPAddress.TryParse(address, out _))
            {
                throw NeutronException.InvalidAttribute("fixed_ips", $"'{address}' is not a valid IP address");
            }

            Subnet subnet;
            if (subnetId is not null)
            {
                subnet = network.Subnets.FirstOrDefault(x => x.Id == subnetId)
                    ?? throw NeutronException.InvalidInput($"Failed to create port on network {network.Id}, because fixed_ips included invalid subnet {subnetId}");
            }
            else if (address is not null)
            {
                var ip = IPAddress.Parse(address);
                subnet = network.Subnets.FirstOrDefault(x => Cidr.Parse(x.Cidr).Contains(ip))
                    ?? throw new NeutronException(400, "InvalidIpForNetwork", $"IP address {address} is not a valid IP for any of the subnets on the specified network.");
            }
            else
            {
                throw NeutronException.InvalidAttribute("fixed_ips", $"{NeutronBody.Show(entry)} names neither a subnet_id nor an ip_address");
            }

            requests.Add(new FixedIpRequest(subnet, address));
        }

        return requests;
    }

    private static string? Text(JsonElement value, string name) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => value.GetString(),
        _ => throw NeutronException.InvalidAttribute("fixed_ips", $"{name} {value.GetRawText()} is not a string"),
    };

    /// <summary>Runs an IPAM call with its failures in Neutron's words.</summary>
    internal static async Task RunIpamAsync(Func<Task> allocate)
    {
        try
        {
            await allocate();
        }
        catch (IpamException e)
        {
            throw e.Failure switch
            {
                IpamFailure.NotInSubnet => new NeutronException(400, "InvalidIpForSubnet", e.Message),
                IpamFailure.AlreadyAllocated => new NeutronException(409, "IpAddressAlreadyAllocated", e.Message),
                _ => new NeutronException(409, "IpAddressGenerationFailure", e.Message),
            };
        }
    }
}
