using Microsoft.Extensions.Configuration;

namespace Octavia.Drivers.Local;

/// <summary>
/// The <c>[local_network]</c> section: the three networks <c>octavia network init</c> creates (DESIGN.md
/// "Local network model"), each with an IPv4 subnet and, for <c>public</c> and <c>private</c>, an IPv6
/// one. The host joins <c>public</c> and <c>lb-mgmt-net</c> only, at the first address of each subnet;
/// <c>private</c> is a tenant network the host never joins.
/// </summary>
public sealed class LocalNetworkOptions
{
    public const string SectionName = "local_network";

    [ConfigurationKeyName("public_cidr")] public string PublicCidr { get; set; } = "203.0.113.0/24";

    [ConfigurationKeyName("private_cidr")] public string PrivateCidr { get; set; } = "192.0.2.0/24";

    /// <summary>
    /// An IPv6 subnet on <c>public</c> (<c>public-ipv6-subnet</c>), which the host joins at its first address
    /// like the IPv4 one; empty for none. Only with the netns compute driver (loopback has no such range).
    /// </summary>
    [ConfigurationKeyName("public_ipv6_cidr")] public string PublicIpv6Cidr { get; set; } = "2001:db8:ffff::/64";

    /// <summary>An IPv6 subnet on <c>private</c> (<c>private-ipv6-subnet</c>), a tenant subnet the host never joins; empty for none.</summary>
    [ConfigurationKeyName("private_ipv6_cidr")] public string PrivateIpv6Cidr { get; set; } = "2001:db8:2::/64";

    [ConfigurationKeyName("management_cidr")] public string ManagementCidr { get; set; } = "198.51.100.0/24";

    /// <summary>
    /// Used instead of the two host-joined networks when amphorae are plain processes (compute driver
    /// <c>process</c>): VIPs and agents then live on loopback addresses, and no link is made.
    /// </summary>
    [ConfigurationKeyName("loopback_public_cidr")] public string LoopbackPublicCidr { get; set; } = "127.203.113.0/24";

    [ConfigurationKeyName("loopback_management_cidr")] public string LoopbackManagementCidr { get; set; } = "127.198.51.0/24";

    /// <summary>
    /// Further hosts or addresses (comma-separated) that this host reaches through its uplink and that the
    /// networks it joins must therefore never hand out or route to a bridge, beside those <c>network init</c>
    /// finds by itself (DNS servers, package sources).
    /// </summary>
    [ConfigurationKeyName("uplink_hosts")] public string UplinkHosts { get; set; } = "";

    [ConfigurationKeyName("mtu")] public int Mtu { get; set; } = 1500;

    /// <summary>The project that owns the networks <c>network init</c> creates.</summary>
    [ConfigurationKeyName("project_id")] public string ProjectId { get; set; } = "admin";
}
