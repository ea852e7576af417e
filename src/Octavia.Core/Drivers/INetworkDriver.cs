namespace Octavia.Core.Drivers;

/// <summary>
/// Networks as the control plane needs them: VIP ports and member subnets (upstream's network driver).
/// Selected by <c>[controller_worker] network_driver</c>.
/// </summary>
public interface INetworkDriver
{
    /// <summary>The name operators write in octavia.conf, e.g. <c>network_noop_driver</c>.</summary>
    string Name { get; }

    /// <summary>Finds or creates the VIP port of a load balancer; runs inside the API call, as upstream does.</summary>
    Task<VipAllocation> AllocateVipAsync(VipRequest request, CancellationToken cancellationToken);

    /// <summary>Releases the VIP port (only when this driver created it).</summary>
    Task DeallocateVipAsync(string loadBalancerId, string? vipPortId, CancellationToken cancellationToken);

    /// <summary>Whether a subnet exists (members and VIPs that name one are refused otherwise).</summary>
    Task<bool> SubnetExistsAsync(string subnetId, CancellationToken cancellationToken);

    /// <summary>
    /// A subnet's IP version (4 or 6), or null when the driver does not know it; members are checked
    /// against it (an amphora's port on a subnet of one family reaches no member of the other).
    /// </summary>
    Task<int?> SubnetIpVersionAsync(string subnetId, CancellationToken cancellationToken) => Task.FromResult<int?>(null);

    /// <summary>
    /// Gives a device (an amphora) a port on a subnet and, when <see cref="PlugRequest.Namespace"/> is set,
    /// a NIC with that port's MAC inside that namespace, joined to the subnet's network. Idempotent per
    /// (device, subnet): a second call returns the port already made.
    /// </summary>
    Task<PluggedPort> PlugAsync(PlugRequest request, CancellationToken cancellationToken);

    /// <summary>Removes a port and its link; succeeds when it is already gone.</summary>
    Task UnplugAsync(string portId, CancellationToken cancellationToken);

    /// <summary>The ports a device holds.</summary>
    Task<IReadOnlyList<PluggedPort>> PortsOfAsync(string deviceId, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the host forget which MAC answers for an address on a subnet it is on (a VIP that moved to another
    /// amphora), so its next packet asks again instead of going to the old one for seconds. Nothing by default.
    /// </summary>
    Task ForgetNeighbourAsync(string subnetId, string address, CancellationToken cancellationToken) => Task.CompletedTask;
}

public sealed record VipRequest(string LoadBalancerId, string ProjectId, string? SubnetId, string? NetworkId, string? PortId, string? Address);

public sealed record VipAllocation(string PortId, string? SubnetId, string? NetworkId, string Address);

/// <param name="Namespace">The network namespace to put the NIC in, or null when the device has none (process amphorae).</param>
/// <param name="InterfaceName">The NIC's name inside the namespace; a temporary name when null (the agent renames it).</param>
public sealed record PlugRequest(string DeviceId, string DeviceOwner, string Name, string SubnetId, string? Namespace,
    string? Address = null, string? InterfaceName = null);

/// <param name="Routes">Routes the device needs on this port beyond its subnet (destination CIDR, next hop), e.g. the
/// external network's range through a tenant subnet's router; never a default route.</param>
public sealed record PluggedPort(string PortId, string NetworkId, string SubnetId, string MacAddress, string IpAddress,
    string SubnetCidr, string? GatewayIp, int Mtu, IReadOnlyList<(string Destination, string Nexthop)>? Routes = null)
{
    /// <summary>Equal when every field is, the routes compared item by item (a record would compare the list's reference).</summary>
    public bool Equals(PluggedPort? other) =>
        other is not null
        && (PortId, NetworkId, SubnetId, MacAddress, IpAddress, SubnetCidr, GatewayIp, Mtu)
            == (other.PortId, other.NetworkId, other.SubnetId, other.MacAddress, other.IpAddress, other.SubnetCidr, other.GatewayIp, other.Mtu)
        && (Routes ?? []).SequenceEqual(other.Routes ?? []);

    public override int GetHashCode() => HashCode.Combine(PortId, SubnetId, IpAddress);
}

/// <summary>
/// A driver failure that trying again cannot fix (a configuration HAProxy refuses, an exhausted range):
/// the flow reverts at once instead of retrying.
/// </summary>
public class PermanentDriverException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A request the network cannot satisfy (unknown subnet, address taken, range exhausted); the API answers 400.</summary>
public sealed class NetworkDriverException(string message) : PermanentDriverException(message);
