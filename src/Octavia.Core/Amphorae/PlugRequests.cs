using System.Text.Json.Serialization;

namespace Octavia.Core.Amphorae;

/// <summary>A static route the agent adds on a plugged interface (<c>host_routes</c> of a subnet).</summary>
public sealed record HostRoute(
    [property: JsonPropertyName("destination")] string Destination,
    [property: JsonPropertyName("nexthop")] string Nexthop);

/// <summary>A further VIP on the VIP interface (<c>additional_vips</c>).</summary>
public sealed record AdditionalVip(
    [property: JsonPropertyName("ip_address")] string IpAddress,
    [property: JsonPropertyName("subnet_cidr")] string SubnetCidr,
    [property: JsonPropertyName("gateway")] string? Gateway = null,
    [property: JsonPropertyName("host_routes")] IReadOnlyList<HostRoute>? HostRoutes = null);

/// <summary>Body of <c>POST /1.0/plug/vip/{vip}</c> (reference/amphora.md §3 #14).</summary>
public sealed record PlugVipRequest(
    [property: JsonPropertyName("subnet_cidr")] string SubnetCidr,
    [property: JsonPropertyName("gateway")] string? Gateway,
    [property: JsonPropertyName("mac_address")] string MacAddress,
    [property: JsonPropertyName("mtu")] int? Mtu = null,
    [property: JsonPropertyName("vrrp_ip")] string? VrrpIp = null,
    [property: JsonPropertyName("host_routes")] IReadOnlyList<HostRoute>? HostRoutes = null,
    [property: JsonPropertyName("additional_vips")] IReadOnlyList<AdditionalVip>? AdditionalVips = null);

/// <summary>One address of a member-network port (<c>fixed_ips</c>).</summary>
public sealed record FixedIp(
    [property: JsonPropertyName("ip_address")] string IpAddress,
    [property: JsonPropertyName("subnet_cidr")] string SubnetCidr,
    [property: JsonPropertyName("host_routes")] IReadOnlyList<HostRoute>? HostRoutes = null,
    [property: JsonPropertyName("gateway")] string? Gateway = null);

/// <summary>Body of <c>POST /1.0/plug/network</c> (reference/amphora.md §3 #15).</summary>
public sealed record PlugNetworkRequest(
    [property: JsonPropertyName("mac_address")] string MacAddress,
    [property: JsonPropertyName("fixed_ips")] IReadOnlyList<FixedIp>? FixedIps = null,
    [property: JsonPropertyName("mtu")] int? Mtu = null);
