using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Octavia.Core.Configuration;
using Octavia.Core.Drivers;
using Octavia.Db;

namespace Octavia.Drivers.Noop;

/// <summary>Upstream's <c>amphora_noop_driver</c>: accepts every configuration and applies nothing.</summary>
public sealed class NoopAmphoraDriver(IServiceScopeFactory scopes, IOptions<NoopDriverOptions> options, TimeProvider time) : IAmphoraDriver
{
    public const string DriverName = "amphora_noop_driver";

    public string Name => DriverName;

    private Task PretendAsync(CancellationToken cancellationToken) =>
        options.Value.Delay > 0 ? Task.Delay(TimeSpan.FromSeconds(options.Value.Delay), time, cancellationToken) : Task.CompletedTask;

    public Task UpdateLoadBalancerAsync(string loadBalancerId, CancellationToken cancellationToken) => PretendAsync(cancellationToken);

    public Task WaitForAmphoraAsync(string amphoraId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<bool> IsAnsweringAsync(string amphoraId, TimeSpan timeout, CancellationToken cancellationToken) => Task.FromResult(true);

    /// <summary>
    /// Plugs nothing, but gives the amphora a made-up VRRP port as upstream's no-op network driver does
    /// (<c>plug_aap_port</c> returns generated port ids): clients read <c>vrrp_port_id</c> as a UUID.
    /// </summary>
    public async Task PlugVipAsync(string amphoraId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OctaviaDbContext>();
        var vrrpPortId = Guid.NewGuid().ToString();
        var haPortId = Guid.NewGuid().ToString();
        await db.Amphorae.Where(a => a.Id == amphoraId && a.VrrpPortId == null)
            .ExecuteUpdateAsync(x => x.SetProperty(a => a.VrrpPortId, vrrpPortId).SetProperty(a => a.HaPortId, a => a.HaPortId ?? haPortId), cancellationToken);
    }

    public Task UpdateAgentConfigAsync(string amphoraId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task UpdateCertificateAsync(string amphoraId, string pem, CancellationToken cancellationToken) => PretendAsync(cancellationToken);
}
