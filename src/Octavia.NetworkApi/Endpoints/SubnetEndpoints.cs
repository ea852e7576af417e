using System.Net;
using System.Numerics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Octavia.Core.Model;
using Octavia.Db;
using Octavia.Drivers.Local;

namespace Octavia.NetworkApi.Endpoints;

/// <summary>
/// <c>/v2.0/subnets</c>: IPv4 and IPv6 subnets of any range, overlapping ones included on different
/// networks (the host never joins a subnet made here: DESIGN.md "Host safety").
/// </summary>
public static class SubnetEndpoints
{
    private static readonly HashSet<string> UpdateAttributes =
        ["name", "description", "gateway_ip", "allocation_pools", "enable_dhcp", "dns_nameservers", "host_routes"];

    private static readonly HashSet<string> ReadOnlyAttributes = ["network_id", "ip_version", "cidr", "ipv6_address_mode", "ipv6_ra_mode", "project_id", "tenant_id"];

    private static readonly HashSet<string> CreateAttributes =
        [.. UpdateAttributes, .. ReadOnlyAttributes, "subnetpool_id", "use_default_subnet_pool", "prefixlen", "service_types", "segment_id"];

    private static readonly string[] Ipv6Modes = ["slaac", "dhcpv6-stateful", "dhcpv6-stateless"];

    public static void Map(IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/v2.0/subnets");
        group.MapGet("", ListAsync);
        group.MapPost("", CreateAsync);
        group.MapGet("/{id}", ShowAsync);
        group.MapPut("/{id}", UpdateAsync);
        group.MapDelete("/{id}", DeleteAsync);
    }

    /// <summary>The subnet <paramref name="id"/> when the caller may see it; Neutron's 404 otherwise.</summary>
    internal static async Task<Subnet> FindAsync(HttpContext http, OctaviaDbContext db, string id, bool tracking, CancellationToken cancellationToken)
    {
        var query = tracking ? db.Subnets.AsTracking() : db.Subnets.AsNoTracking();
        return await NeutronCaller.Of(http).Visible(query, db).FirstOrDefaultAsync(s => s.Id == id, cancellationToken)
            ?? throw NeutronException.NotFound("Subnet", id);
    }

    private static async Task<IResult> ListAsync(HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken)
    {
        var subnets = await NeutronCaller.Of(http).Visible(db.Subnets.AsNoTracking(), db).OrderBy(s => s.CreatedAt).ThenBy(s => s.Id).ToListAsync(cancellationToken);
        return NeutronQuery.List(http, "subnets", subnets.Select(NeutronViews.Subnet));
    }

    private static async Task<IResult> ShowAsync(string id, HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken) =>
        NeutronQuery.Show(http, 200, "subnet", NeutronViews.Subnet(await FindAsync(http, db, id, tracking: false, cancellationToken)));

    private static async Task<IResult> CreateAsync(HttpContext http, OctaviaDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await NeutronBody.ReadAsync(http, "subnet", CreateAttributes);
        foreach (var unsupported in new[] { "subnetpool_id", "segment_id" })
        {
            if (body.Raw(unsupported) is { ValueKind: not JsonValueKind.Null })
            {
                throw NeutronException.BadRequest($"Invalid input for {unsupported}. Reason: subnet pools and segments are not supported by this cloud.");
            }
        }

        var networkId = body.String("network_id") ?? throw NeutronException.BadRequest("Failed to parse request. Required attribute 'network_id' not specified");
        var ipVersion = body.Int("ip_version", 0, int.MaxValue) ?? 4;
        if (ipVersion is not (4 or 6))
        {
            throw NeutronException.InvalidAttribute("ip_version", $"{ipVersion} is not in [4, 6]");
        }

        var cidrText = body.String("cidr") ?? throw new NeutronException(400, "BadRequest", "Bad subnets request: a subnetpool must be specified in the absence of a cidr.");
        var cidr = ParseCidr(cidrText);
        if (cidr.IpVersion != ipVersion)
        {
            throw NeutronException.InvalidInput($"Cidr {cidrText} does not match IP version {ipVersion}.");
        }

        if (cidr.PrefixLength == 0 || cidr.PrefixLength > cidr.Bits - 2)
        {
            throw NeutronException.InvalidInput($"{cidr.PrefixLength} is not allowed as CIDR prefix length: the subnet needs room for a gateway and an address.");
        }

        var addressMode = Ipv6Mode(body, "ipv6_address_mode", ipVersion);
        var raMode = Ipv6Mode(body, "ipv6_ra_mode", ipVersion);
        var network = await NetworkEndpoints.FindAsync(http, db, networkId, tracking: false, cancellationToken);
        var caller = NeutronCaller.Of(http);
        // Neutron's create_subnet rule: only the network's owner (or an admin) adds subnets, also to a shared network.
        caller.EnsureOwns(network.ProjectId, "create_subnet");
        var overlapping = network.Subnets.FirstOrDefault(s => Cidr.Parse(s.Cidr).Overlaps(cidr));
        if (overlapping is not null)
        {
            throw NeutronException.InvalidInput($"Requested subnet with cidr: {cidr} for network: {networkId} overlaps with another subnet.");
        }

        var now = time.GetUtcNow().UtcDateTime;
        var subnet = new Subnet
        {
            Id = Guid.NewGuid().ToString(),
            NetworkId = networkId,
            Name = "",
            ProjectId = caller.ResolveProject(body.Project(), "subnet"),
            Cidr = cidr.ToString(),
            IpVersion = ipVersion,
            GatewayIp = body.Has("gateway_ip") ? Gateway(body, cidr) : cidr.At(1).ToString(),
            AllocationStart = "",
            AllocationEnd = "",
            Ipv6AddressMode = addressMode,
            Ipv6RaMode = raMode,
            CreatedAt = now,
        };
        (subnet.AllocationStart, subnet.AllocationEnd) = body.Has("allocation_pools") ? Pool(body, cidr) : DefaultPool(cidr, subnet.GatewayIp);
        Apply(body, subnet);
        if (body.Has("allocation_pools"))
        {
            CheckGatewayOutsidePool(subnet);
        }

        db.Subnets.Add(subnet);
        await db.SaveChangesAsync(cancellationToken);
        return NeutronQuery.Show(http, 201, "subnet", NeutronViews.Subnet(subnet));
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext http, OctaviaDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await NeutronBody.ReadAsync(http, "subnet", UpdateAttributes.Concat(ReadOnlyAttributes).ToHashSet());
        body.RejectReadOnly([.. ReadOnlyAttributes]);
        var subnet = await FindAsync(http, db, id, tracking: true, cancellationToken);
        NeutronCaller.Of(http).EnsureOwns(subnet.ProjectId, "update_subnet");
        var cidr = Cidr.Parse(subnet.Cidr);
        if (body.Has("gateway_ip"))
        {
            var gateway = Gateway(body, cidr);
            if (gateway is not null && gateway != subnet.GatewayIp
                && await db.IpAllocations.AnyAsync(a => a.SubnetId == id && a.IpAddress == gateway, cancellationToken))
            {
                throw new NeutronException(409, "IpAddressInUse", $"Unable to complete operation for network {subnet.NetworkId}. The IP address {gateway} is in use.");
            }

            if (subnet.HostAddress is not null && gateway != subnet.GatewayIp)
            {
                throw new NeutronException(409, "SubnetInUse", $"Unable to complete operation on subnet {id}: the host is the gateway of this subnet.");
            }

            subnet.GatewayIp = gateway;
        }

        if (body.Has("allocation_pools"))
        {
            (subnet.AllocationStart, subnet.AllocationEnd) = Pool(body, cidr);
        }

        Apply(body, subnet);
        if (body.Has("allocation_pools") || body.Has("gateway_ip"))
        {
            CheckGatewayOutsidePool(subnet);
        }

        subnet.UpdatedAt = time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        return NeutronQuery.Show(http, 200, "subnet", NeutronViews.Subnet(subnet));
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken)
    {
        var subnet = await FindAsync(http, db, id, tracking: false, cancellationToken);
        NeutronCaller.Of(http).EnsureOwns(subnet.ProjectId, "delete_subnet");
        // Checked and deleted in one statement, as networks are: an address given meanwhile keeps the subnet.
        var deleted = subnet.HostAddress is not null
            ? 0
            : await db.Subnets.Where(s => s.Id == id && !db.IpAllocations.Any(a => a.SubnetId == id)).ExecuteDeleteAsync(cancellationToken);
        if (deleted == 0)
        {
            throw new NeutronException(409, "SubnetInUse",
                $"Unable to complete operation on subnet {id}: One or more ports have an IP allocation from this subnet.");
        }

        return Results.StatusCode(204);
    }

    /// <summary>The attributes of a create or an update besides the addresses.</summary>
    private static void Apply(NeutronBody body, Subnet subnet)
    {
        subnet.Name = body.String("name") ?? subnet.Name;
        subnet.Description = body.String("description") ?? subnet.Description;
        subnet.EnableDhcp = body.Bool("enable_dhcp") ?? subnet.EnableDhcp;
        if (body.List("dns_nameservers") is { } servers)
        {
            subnet.DnsNameservers = servers.Select(s => s.ValueKind == JsonValueKind.String && IPAddress.TryParse(s.GetString(), out var ip)
                ? ip.ToString()
                : throw NeutronException.InvalidAttribute("dns_nameservers", $"{NeutronBody.Show(s)} is not a valid nameserver")).ToList();
            if (subnet.DnsNameservers.Distinct().Count() != subnet.DnsNameservers.Count)
            {
                throw NeutronException.InvalidAttribute("dns_nameservers", "Duplicate nameserver");
            }
        }

        if (body.List("host_routes") is { } routes)
        {
            subnet.HostRoutes = routes.Select(HostRoute).ToList();
        }
    }

    private static string HostRoute(JsonElement route)
    {
        if (route.ValueKind == JsonValueKind.Object && route.TryGetProperty("destination", out var destination) && route.TryGetProperty("nexthop", out var nexthop)
            && destination.ValueKind == JsonValueKind.String && nexthop.ValueKind == JsonValueKind.String
            && Cidr.TryParse(destination.GetString(), out var to) && IPAddress.TryParse(nexthop.GetString(), out var via)
            && route.EnumerateObject().Count() == 2)
        {
            return $"{to},{via}";
        }

        throw NeutronException.InvalidAttribute("host_routes", $"{NeutronBody.Show(route)} is not a valid host route: it needs a destination CIDR and a nexthop address");
    }

    private static Cidr ParseCidr(string text)
    {
        if (!Cidr.TryParse(text, out var cidr))
        {
            throw NeutronException.InvalidAttribute("cidr", $"'{text}' is not a valid IP subnet");
        }

        if (!IPAddress.Parse(text[..text.IndexOf('/')]).Equals(cidr.Network))
        {
            throw NeutronException.InvalidAttribute("cidr", $"'{text}' isn't a recognized IP subnet cidr, '{cidr}' is recommended");
        }

        return cidr;
    }

    private static string? Ipv6Mode(NeutronBody body, string name, int ipVersion)
    {
        var mode = body.String(name, nullable: true);
        if (mode is null)
        {
            return null;
        }

        if (!Ipv6Modes.Contains(mode))
        {
            throw NeutronException.InvalidAttribute(name, $"'{mode}' is not in {string.Join(", ", Ipv6Modes)}");
        }

        return ipVersion == 6 ? mode : throw NeutronException.InvalidInput($"{name} is not valid when ip_version is 4");
    }

    /// <summary>An address of the subnet that no host may be given: the network address, and IPv4's broadcast.</summary>
    private static bool IsHost(Cidr cidr, IPAddress address)
    {
        var n = Cidr.ToNumber(address);
        return cidr.Contains(address) && n != cidr.First && (cidr.IpVersion == 6 || n != cidr.Last);
    }

    private static string? Gateway(NeutronBody body, Cidr cidr)
    {
        var text = body.String("gateway_ip", nullable: true);
        if (text is null)
        {
            return null;
        }

        return IPAddress.TryParse(text, out var gateway) && IsHost(cidr, gateway)
            ? gateway.ToString()
            : throw NeutronException.InvalidAttribute("gateway_ip", $"'{text}' is not a valid host address of {cidr}");
    }

    /// <summary>
    /// Every host address but the gateway when it sits at either end. Neutron splits the range around a
    /// gateway in the middle; this one keeps it whole and the IPAM never gives the gateway away.
    /// </summary>
    private static (string Start, string End) DefaultPool(Cidr cidr, string? gatewayText)
    {
        BigInteger first = 1;
        var last = cidr.Last - cidr.First - (cidr.IpVersion == 4 ? 1 : 0);
        if (gatewayText is not null)
        {
            var gateway = Cidr.ToNumber(IPAddress.Parse(gatewayText)) - cidr.First;
            first = gateway == first ? first + 1 : first;
            last = gateway == last ? last - 1 : last;
        }

        return (cidr.At(first).ToString(), cidr.At(last).ToString());
    }

    /// <summary>One allocation pool (this cloud keeps one range per subnet; docs/decisions.md).</summary>
    private static (string Start, string End) Pool(NeutronBody body, Cidr cidr)
    {
        var pools = body.List("allocation_pools")!;
        if (pools.Count != 1)
        {
            throw NeutronException.InvalidAttribute("allocation_pools", "this cloud keeps exactly one allocation pool per subnet");
        }

        var pool = pools[0];
        if (pool.ValueKind != JsonValueKind.Object || !pool.TryGetProperty("start", out var startText) || !pool.TryGetProperty("end", out var endText)
            || startText.ValueKind != JsonValueKind.String || endText.ValueKind != JsonValueKind.String
            || !IPAddress.TryParse(startText.GetString(), out var start) || !IPAddress.TryParse(endText.GetString(), out var end))
        {
            throw NeutronException.InvalidAttribute("allocation_pools", $"{NeutronBody.Show(pool)} is not a pool of a start and an end address");
        }

        if (!IsHost(cidr, start) || !IsHost(cidr, end) || Cidr.ToNumber(start) > Cidr.ToNumber(end))
        {
            throw new NeutronException(400, "InvalidAllocationPool", $"The allocation pool {start}-{end} spans beyond the subnet cidr {cidr}.");
        }

        return (start.ToString(), end.ToString());
    }

    private static void CheckGatewayOutsidePool(Subnet subnet)
    {
        if (subnet.GatewayIp is { } text)
        {
            var gateway = Cidr.ToNumber(IPAddress.Parse(text));
            if (gateway >= Cidr.ToNumber(IPAddress.Parse(subnet.AllocationStart)) && gateway <= Cidr.ToNumber(IPAddress.Parse(subnet.AllocationEnd)))
            {
                throw new NeutronException(409, "GatewayConflictWithAllocationPools",
                    $"Gateway ip {text} conflicts with allocation pool {subnet.AllocationStart}-{subnet.AllocationEnd}");
            }
        }
    }
}
