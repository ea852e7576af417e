using Octavia.Core.Model;

namespace Octavia.Core.Drivers;

/// <summary>
/// What the networking API asks, beyond <see cref="INetworkDriver"/>, of the network driver whose networks it
/// serves: the host side of the networks, ports and floating IPs made through the API. The local driver
/// declares it; under a driver without it (the no-op one) the API's networks are database rows only.
/// </summary>
public interface INetworkApiBackend
{
    /// <summary>The bridge of a network made through the API (a tenant network: the host never joins it).</summary>
    Task EnsureTenantBridgeAsync(Network network, CancellationToken cancellationToken);

    /// <summary>Removes the bridge of a deleted tenant network.</summary>
    Task RemoveTenantBridgeAsync(Network network, CancellationToken cancellationToken);

    /// <summary>Brings the host's routes to the external network in line with the addresses allocated there.</summary>
    Task SyncHostRoutesAsync(CancellationToken cancellationToken);

    /// <summary>Brings the router of a tenant network (its floating IPs' translations) in line with the database.</summary>
    Task SyncRouterAsync(string networkId, CancellationToken cancellationToken);

    /// <summary>Disassociates the floating IPs of ports that are going away.</summary>
    Task ReleaseFloatingIpsAsync(IReadOnlyCollection<string> portIds, CancellationToken cancellationToken);

    /// <summary>Removes a port's link (a deleted port takes its veth with it, as a Neutron port its tap device).</summary>
    Task UnplugAsync(string portId, CancellationToken cancellationToken);
}
