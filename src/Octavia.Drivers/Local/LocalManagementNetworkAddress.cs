using Octavia.Core.Health;

namespace Octavia.Drivers.Local;

/// <summary>The host's address on the local driver's lb-mgmt-net (made by <c>network init</c> when missing).</summary>
internal sealed class LocalManagementNetworkAddress(LocalNetworkDriver driver) : IManagementNetworkAddress
{
    public async Task<string?> GetHostAddressAsync(CancellationToken cancellationToken) =>
        (await driver.ManagementSubnetAsync(cancellationToken)).HostAddress;
}
