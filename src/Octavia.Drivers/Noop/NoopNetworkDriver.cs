using System.Net;
using Octavia.Core.Drivers;

namespace Octavia.Drivers.Noop;

/// <summary>
/// Upstream's <c>network_noop_driver</c>: every subnet exists and a VIP port is invented on the spot.
/// Addresses come from 198.51.100.0/24 (a documentation range) unless the caller asked for one.
/// </summary>
public sealed class NoopNetworkDriver : INetworkDriver
{
    public const string DriverName = "network_noop_driver";
    private int _next;

    public string Name => DriverName;

    public Task<VipAllocation> AllocateVipAsync(VipRequest request, CancellationToken cancellationToken)
    {
        var n = (Interlocked.Increment(ref _next) - 1) % 253 + 1;
        var address = request.Address ?? new IPAddress([198, 51, 100, (byte)n]).ToString();
        return Task.FromResult(new VipAllocation(
            request.PortId ?? Guid.NewGuid().ToString(),
            request.SubnetId ?? Guid.NewGuid().ToString(),
            request.NetworkId ?? Guid.NewGuid().ToString(),
            address));
    }

    public Task DeallocateVipAsync(string loadBalancerId, string? vipPortId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<bool> SubnetExistsAsync(string subnetId, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task<PluggedPort> PlugAsync(PlugRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new PluggedPort(Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), request.SubnetId, "fa:16:3e:00:00:00",
            request.Address ?? "198.51.100.254", "198.51.100.0/24", null, 1500));

    public Task UnplugAsync(string portId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IReadOnlyList<PluggedPort>> PortsOfAsync(string deviceId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<PluggedPort>>([]);
}
