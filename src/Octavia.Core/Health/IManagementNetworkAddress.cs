namespace Octavia.Core.Health;

/// <summary>
/// The controller host's own address on the amphora management network (lb-mgmt-net), where amphorae send their
/// heartbeats: the health manager's bind address when <c>[health_manager] bind_ip</c> is empty. Registered only by
/// a network driver that gives the host such an address.
/// </summary>
public interface IManagementNetworkAddress
{
    /// <summary>The host's address on the management network, or null when it has none.</summary>
    Task<string?> GetHostAddressAsync(CancellationToken cancellationToken);
}
