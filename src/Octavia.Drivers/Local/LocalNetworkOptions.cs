using Microsoft.Extensions.Configuration;

namespace Octavia.Drivers.Local;

/// <summary>
/// The <c>[local_network]</c> section: the three networks <c>octavia network init</c> creates (DESIGN.md
/// "Local network model"). The host joins <c>public</c> and <c>lb-mgmt-net</c> only, at the first address
/// of each; <c>private</c> is a tenant network the host never joins.
/// </summary>
public sealed class LocalNetworkOptions
{
    public const string SectionName = "local_network";

    [ConfigurationKeyName("public_cidr")] public string PublicCidr { get; set; } = "203.0.113.0/24";

    [ConfigurationKeyName("private_cidr")] public string PrivateCidr { get; set; } = "192.0.2.0/24";

    [ConfigurationKeyName("management_cidr")] public string ManagementCidr { get; set; } = "198.51.100.0/24";

    /// <summary>
    /// Used instead of the two host-joined networks when amphorae are plain processes (compute driver
    /// <c>process</c>): VIPs and agents then live on loopback addresses, and no link is made.
    /// </summary>
    [ConfigurationKeyName("loopback_public_cidr")] public string LoopbackPublicCidr { get; set; } = "127.203.113.0/24";

    [ConfigurationKeyName("loopback_management_cidr")] public string LoopbackManagementCidr { get; set; } = "127.198.51.0/24";

    [ConfigurationKeyName("mtu")] public int Mtu { get; set; } = 1500;

    /// <summary>The project that owns the networks <c>network init</c> creates.</summary>
    [ConfigurationKeyName("project_id")] public string ProjectId { get; set; } = "admin";
}
