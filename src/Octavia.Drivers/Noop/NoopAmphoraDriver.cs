using Microsoft.Extensions.Options;
using Octavia.Core.Configuration;
using Octavia.Core.Drivers;

namespace Octavia.Drivers.Noop;

/// <summary>Upstream's <c>amphora_noop_driver</c>: accepts every configuration and applies nothing.</summary>
public sealed class NoopAmphoraDriver(IOptions<NoopDriverOptions> options, TimeProvider time) : IAmphoraDriver
{
    public const string DriverName = "amphora_noop_driver";

    public string Name => DriverName;

    private Task PretendAsync(CancellationToken cancellationToken) =>
        options.Value.Delay > 0 ? Task.Delay(TimeSpan.FromSeconds(options.Value.Delay), time, cancellationToken) : Task.CompletedTask;

    public Task UpdateLoadBalancerAsync(string loadBalancerId, CancellationToken cancellationToken) => PretendAsync(cancellationToken);

    public Task WaitForAmphoraAsync(string amphoraId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<bool> IsAnsweringAsync(string amphoraId, TimeSpan timeout, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task PlugVipAsync(string amphoraId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task UpdateAgentConfigAsync(string amphoraId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task UpdateCertificateAsync(string amphoraId, string pem, CancellationToken cancellationToken) => PretendAsync(cancellationToken);
}
