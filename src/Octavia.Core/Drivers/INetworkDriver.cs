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
}

public sealed record VipRequest(string LoadBalancerId, string ProjectId, string? SubnetId, string? NetworkId, string? PortId, string? Address);

public sealed record VipAllocation(string PortId, string? SubnetId, string? NetworkId, string Address);
