namespace Octavia.Core.Drivers;

/// <summary>Controller-to-amphora operations (upstream's amphora driver). Selected by <c>[controller_worker] amphora_driver</c>.</summary>
public interface IAmphoraDriver
{
    string Name { get; }

    /// <summary>Renders the load balancer's configuration and applies it on every amphora of it.</summary>
    Task UpdateLoadBalancerAsync(string loadBalancerId, CancellationToken cancellationToken);

    /// <summary>Waits until a new amphora answers, then finalizes it.</summary>
    Task WaitForAmphoraAsync(string amphoraId, CancellationToken cancellationToken);

    /// <summary>Pushes a fresh agent configuration to an amphora.</summary>
    Task UpdateAgentConfigAsync(string amphoraId, CancellationToken cancellationToken);
}
