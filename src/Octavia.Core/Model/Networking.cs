namespace Octavia.Core.Model;

/// <summary>
/// A network of the <c>local</c> network driver (Neutron's network): a Linux bridge on this host. The
/// host joins only the networks whose subnets carry a <see cref="Subnet.HostAddress"/>.
/// </summary>
public sealed class Network
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public required string ProjectId { get; set; }

    /// <summary>External networks (<c>public</c>) are where VIPs and floating IPs face the host.</summary>
    public bool External { get; set; }

    /// <summary>The bridge that carries it, <c>octavia-b</c> plus six hex digits of the id.</summary>
    public required string BridgeName { get; set; }

    public int Mtu { get; set; } = 1500;
    public DateTime CreatedAt { get; set; }
    public DateTime? UpdatedAt { get; set; }

    public string Description { get; set; } = "";
    public bool AdminStateUp { get; set; } = true;
    public bool Shared { get; set; }
    public bool PortSecurityEnabled { get; set; } = true;

    public List<Subnet> Subnets { get; set; } = [];
}

/// <summary>A subnet of a <see cref="Network"/>; addresses in it are allocated from the database (IPAM).</summary>
public sealed class Subnet
{
    public required string Id { get; set; }
    public required string NetworkId { get; set; }
    public required string Name { get; set; }
    public required string ProjectId { get; set; }
    public required string Cidr { get; set; }
    public int IpVersion { get; set; } = 4;
    public string? GatewayIp { get; set; }
    public required string AllocationStart { get; set; }
    public required string AllocationEnd { get; set; }

    /// <summary>The host's own address here; set only on <c>public</c> and <c>lb-mgmt-net</c> (DESIGN.md "Host safety").</summary>
    public string? HostAddress { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime? UpdatedAt { get; set; }

    public string Description { get; set; } = "";
    public bool EnableDhcp { get; set; } = true;
    public List<string> DnsNameservers { get; set; } = [];

    /// <summary>Neutron's host routes, each stored as <c>destination,nexthop</c>.</summary>
    public List<string> HostRoutes { get; set; } = [];

    public string? Ipv6AddressMode { get; set; }
    public string? Ipv6RaMode { get; set; }

    public Network? Network { get; set; }
}

/// <summary>A port (Neutron's port): a MAC address and fixed IPs on one network, owned by a device.</summary>
public sealed class Port
{
    public required string Id { get; set; }
    public required string NetworkId { get; set; }
    public string Name { get; set; } = "";
    public required string ProjectId { get; set; }
    public required string MacAddress { get; set; }

    /// <summary>What uses it: an amphora id, a load balancer id, a server namespace.</summary>
    public string DeviceId { get; set; } = "";

    /// <summary>Neutron's owner strings: <c>Octavia</c> (VIP), <c>compute:octavia</c> (amphora NIC), <c>compute:octavia-server</c>.</summary>
    public string DeviceOwner { get; set; } = "";

    /// <summary>The host-side veth when the port is plugged into a namespace.</summary>
    public string? HostLink { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime? UpdatedAt { get; set; }

    public string Description { get; set; } = "";
    public bool AdminStateUp { get; set; } = true;

    public List<IpAllocation> FixedIps { get; set; } = [];
}

/// <summary>One fixed IP of a port; unique per subnet, which is what keeps two allocations apart.</summary>
public sealed class IpAllocation
{
    public required string PortId { get; set; }
    public required string SubnetId { get; set; }
    public required string IpAddress { get; set; }
}

/// <summary>
/// A floating IP (Neutron's floatingip): an address of an external network's subnet, held by a port of
/// its own (device owner <c>network:floatingip</c>), and, while associated, translated to one fixed IP of
/// a port on a tenant network by that network's router namespace.
/// </summary>
public sealed class FloatingIp
{
    public required string Id { get; set; }
    public required string ProjectId { get; set; }
    public required string FloatingNetworkId { get; set; }

    /// <summary>The port on the external network that holds <see cref="FloatingIpAddress"/> in the IPAM.</summary>
    public required string FloatingPortId { get; set; }

    public required string FloatingIpAddress { get; set; }

    /// <summary>The associated port; null when the floating IP is free (then the fixed address and router are null too).</summary>
    public string? FixedPortId { get; set; }

    public string? FixedIpAddress { get; set; }

    /// <summary>The implicit router of the fixed port's network (one per tenant network, see docs/decisions.md).</summary>
    public string? RouterId { get; set; }

    public string Description { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime? UpdatedAt { get; set; }
}
