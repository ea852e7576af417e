using System.Globalization;
using System.Text.Json.Nodes;
using Octavia.Core.Model;
using Octavia.Drivers.Local;

namespace Octavia.NetworkApi;

/// <summary>
/// Networks, subnets and ports as Neutron shows them (field names of the networking API v2.0, in its
/// order). Attributes of extensions this API does not implement keep Neutron's neutral values.
/// </summary>
public static class NeutronViews
{
    public static JsonObject Network(Network n) => new()
    {
        ["id"] = n.Id,
        ["name"] = n.Name,
        ["tenant_id"] = n.ProjectId,
        ["admin_state_up"] = n.AdminStateUp,
        ["mtu"] = n.Mtu,
        ["status"] = "ACTIVE",
        ["subnets"] = new JsonArray(n.Subnets.OrderBy(s => s.CreatedAt).ThenBy(s => s.Id).Select(s => (JsonNode?)s.Id).ToArray()),
        ["shared"] = n.Shared,
        ["availability_zone_hints"] = new JsonArray(),
        ["availability_zones"] = new JsonArray("nova"),
        ["ipv4_address_scope"] = null,
        ["ipv6_address_scope"] = null,
        ["router:external"] = n.External,
        ["description"] = n.Description,
        ["port_security_enabled"] = n.PortSecurityEnabled,
        ["l2_adjacency"] = true,
        ["provider:network_type"] = "flat",
        ["provider:physical_network"] = n.BridgeName,
        ["provider:segmentation_id"] = null,
        ["is_default"] = false,
        ["qos_policy_id"] = null,
        ["tags"] = new JsonArray(),
        ["created_at"] = Time(n.CreatedAt),
        ["updated_at"] = Time(n.UpdatedAt ?? n.CreatedAt),
        ["revision_number"] = Revision(n.UpdatedAt),
        ["project_id"] = n.ProjectId,
    };

    public static JsonObject Subnet(Subnet s) => new()
    {
        ["id"] = s.Id,
        ["name"] = s.Name,
        ["tenant_id"] = s.ProjectId,
        ["network_id"] = s.NetworkId,
        ["ip_version"] = s.IpVersion,
        ["subnetpool_id"] = null,
        ["enable_dhcp"] = s.EnableDhcp,
        ["ipv6_ra_mode"] = s.Ipv6RaMode,
        ["ipv6_address_mode"] = s.Ipv6AddressMode,
        ["gateway_ip"] = s.GatewayIp,
        ["cidr"] = s.Cidr,
        ["allocation_pools"] = new JsonArray(new JsonObject { ["start"] = s.AllocationStart, ["end"] = s.AllocationEnd }),
        ["host_routes"] = new JsonArray(s.HostRoutes.Select(r => r.Split(',')).Select(r =>
            (JsonNode?)new JsonObject { ["destination"] = r[0], ["nexthop"] = r.Length > 1 ? r[1] : "" }).ToArray()),
        ["dns_nameservers"] = new JsonArray(s.DnsNameservers.Select(d => (JsonNode?)d).ToArray()),
        ["description"] = s.Description,
        ["service_types"] = new JsonArray(),
        ["segment_id"] = null,
        ["dns_publish_fixed_ip"] = false,
        ["tags"] = new JsonArray(),
        ["created_at"] = Time(s.CreatedAt),
        ["updated_at"] = Time(s.UpdatedAt ?? s.CreatedAt),
        ["revision_number"] = Revision(s.UpdatedAt),
        ["project_id"] = s.ProjectId,
    };

    /// <param name="portSecurity">The port's network's setting (ports do not keep their own).</param>
    public static JsonObject Port(Port p, bool portSecurity) => new()
    {
        ["id"] = p.Id,
        ["name"] = p.Name,
        ["network_id"] = p.NetworkId,
        ["tenant_id"] = p.ProjectId,
        ["mac_address"] = p.MacAddress,
        ["admin_state_up"] = p.AdminStateUp,
        ["status"] = Status(p),
        ["device_id"] = p.DeviceId,
        ["device_owner"] = p.DeviceOwner,
        ["fixed_ips"] = new JsonArray(LocalIpam.InOrder(p.FixedIps).Select(ip => (JsonNode?)new JsonObject { ["subnet_id"] = ip.SubnetId, ["ip_address"] = ip.IpAddress }).ToArray()),
        ["allowed_address_pairs"] = new JsonArray(),
        ["extra_dhcp_opts"] = new JsonArray(),
        ["security_groups"] = new JsonArray(),
        ["description"] = p.Description,
        ["binding:vnic_type"] = "normal",
        ["binding:host_id"] = "",
        ["binding:vif_type"] = p.HostLink is null ? "unbound" : "bridge",
        ["binding:vif_details"] = new JsonObject(),
        ["binding:profile"] = new JsonObject(),
        ["port_security_enabled"] = portSecurity,
        ["qos_policy_id"] = null,
        ["tags"] = new JsonArray(),
        ["created_at"] = Time(p.CreatedAt),
        ["updated_at"] = Time(p.UpdatedAt ?? p.CreatedAt),
        ["revision_number"] = Revision(p.UpdatedAt),
        ["project_id"] = p.ProjectId,
    };

    /// <param name="port">The associated port, for <c>port_details</c>; null when the floating IP is free.</param>
    public static JsonObject FloatingIp(FloatingIp f, Port? port) => new()
    {
        ["id"] = f.Id,
        ["tenant_id"] = f.ProjectId,
        ["floating_ip_address"] = f.FloatingIpAddress,
        ["floating_network_id"] = f.FloatingNetworkId,
        // A port deleted behind the API's back (the foreign key clears only port_id) leaves the floating IP free.
        ["router_id"] = port is null ? null : f.RouterId,
        ["port_id"] = port?.Id,
        ["fixed_ip_address"] = port is null ? null : f.FixedIpAddress,
        ["status"] = port is null ? "DOWN" : "ACTIVE",
        ["description"] = f.Description,
        ["qos_policy_id"] = null,
        ["port_details"] = port is null ? null : new JsonObject
        {
            ["name"] = port.Name,
            ["network_id"] = port.NetworkId,
            ["mac_address"] = port.MacAddress,
            ["admin_state_up"] = port.AdminStateUp,
            ["status"] = Status(port),
            ["device_id"] = port.DeviceId,
            ["device_owner"] = port.DeviceOwner,
        },
        ["port_forwardings"] = new JsonArray(),
        ["tags"] = new JsonArray(),
        ["created_at"] = Time(f.CreatedAt),
        ["updated_at"] = Time(f.UpdatedAt ?? f.CreatedAt),
        ["revision_number"] = Revision(f.UpdatedAt),
        ["project_id"] = f.ProjectId,
    };

    /// <summary>
    /// ACTIVE when the port is plugged into a namespace (it has a host-side link) or is a VIP (its address
    /// rides on an amphora's NIC), DOWN otherwise, as Neutron shows an unbound port.
    /// </summary>
    private static string Status(Port p) => p.HostLink is not null || p.DeviceOwner == "Octavia" ? "ACTIVE" : "DOWN";

    /// <summary>Neutron's timestamp form, <c>2016-03-08T20:19:41Z</c>.</summary>
    private static string Time(DateTime t) => DateTime.SpecifyKind(t, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>No revision is kept: 1 after create, 2 once updated (clients only compare it for If-Match, which this API ignores).</summary>
    private static int Revision(DateTime? updated) => updated is null ? 1 : 2;
}
