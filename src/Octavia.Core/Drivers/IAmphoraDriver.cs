namespace Octavia.Core.Drivers;

/// <summary>Controller-to-amphora operations (upstream's amphora driver). Selected by <c>[controller_worker] amphora_driver</c>.</summary>
public interface IAmphoraDriver
{
    string Name { get; }

    /// <summary>Renders the load balancer's configuration and applies it on every amphora of it.</summary>
    Task UpdateLoadBalancerAsync(string loadBalancerId, CancellationToken cancellationToken);

    /// <summary>Waits until a new amphora's agent answers (bounded retries while it boots).</summary>
    Task WaitForAmphoraAsync(string amphoraId, CancellationToken cancellationToken);

    /// <summary>Gives the amphora its NIC on the VIP network and has the agent bring the VIP up on it.</summary>
    Task PlugVipAsync(string amphoraId, CancellationToken cancellationToken);

    /// <summary>Pushes a fresh agent configuration to an amphora.</summary>
    Task UpdateAgentConfigAsync(string amphoraId, CancellationToken cancellationToken);
}
