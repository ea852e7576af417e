using Octavia.Core.Drivers;

namespace Octavia.Drivers.Noop;

/// <summary>Upstream's <c>amphora_noop_driver</c>: accepts every configuration and applies nothing.</summary>
public sealed class NoopAmphoraDriver : IAmphoraDriver
{
    public const string DriverName = "amphora_noop_driver";

    public string Name => DriverName;

    public Task UpdateLoadBalancerAsync(string loadBalancerId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task WaitForAmphoraAsync(string amphoraId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task UpdateAgentConfigAsync(string amphoraId, CancellationToken cancellationToken) => Task.CompletedTask;
}
