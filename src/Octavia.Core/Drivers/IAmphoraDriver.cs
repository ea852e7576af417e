namespace Octavia.Core.Drivers;

/// <summary>Controller-to-amphora operations (upstream's amphora driver). Selected by <c>[controller_worker] amphora_driver</c>.</summary>
public interface IAmphoraDriver
{
    string Name { get; }

    /// <summary>Renders the load balancer's configuration and applies it on every amphora of it.</summary>
    Task UpdateLoadBalancerAsync(string loadBalancerId, CancellationToken cancellationToken);

    /// <summary>Waits until a new amphora's agent answers (bounded retries while it boots).</summary>
    Task WaitForAmphoraAsync(string amphoraId, CancellationToken cancellationToken);

    /// <summary>
    /// Whether an amphora that is already running (a spare) answers within <paramref name="timeout"/>: a
    /// short look, not the boot-time wait of <see cref="WaitForAmphoraAsync"/>.
    /// </summary>
    Task<bool> IsAnsweringAsync(string amphoraId, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Gives the amphora its NIC on the VIP network and has the agent bring the VIP up on it.</summary>
    Task PlugVipAsync(string amphoraId, CancellationToken cancellationToken);

    /// <summary>Pushes a fresh agent configuration to an amphora.</summary>
    Task UpdateAgentConfigAsync(string amphoraId, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the agent's own server certificate (certificate and key PEM); the agent presents it from
    /// its next TLS handshake on (reference/amphora.md §3 #16, housekeeping's rotation).
    /// </summary>
    Task UpdateCertificateAsync(string amphoraId, string pem, CancellationToken cancellationToken);
}
