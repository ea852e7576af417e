using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Octavia.Controller.Engine;
using Octavia.Core.Drivers;
using Octavia.Core.Model;
using Octavia.Core.Statuses;
using Octavia.Db;

namespace Octavia.Controller.Tasks;

/// <summary>Tasks that reach amphorae through the compute and amphora drivers.</summary>
public static class AmphoraTasks
{
    /// <summary>
    /// Whether the load balancer's provider does real work. The <c>noop_driver</c> provider has none: its
    /// flows only move statuses, so objects still leave PENDING (unlike upstream, where they stay there).
    /// </summary>
    private static async Task<bool> UsesDriversAsync(FlowContext c, CancellationToken ct) =>
        await c.DbAsync(db => db.LoadBalancers.Where(lb => lb.Id == c.State.LoadBalancerId).Select(lb => lb.Provider).FirstOrDefaultAsync(ct), ct)
            is not (null or "noop_driver");

    /// <summary>Upstream's ListenersUpdate: push the whole configuration to every amphora of the load balancer.</summary>
    public static IFlowTask UpdateLoadBalancerConfig() => new FlowTask(nameof(UpdateLoadBalancerConfig), async (c, ct) =>
    {
        if (await UsesDriversAsync(c, ct))
        {
            await c.Services.GetRequiredService<IAmphoraDriver>().UpdateLoadBalancerAsync(c.State.LoadBalancerId!, ct);
        }
    });

    /// <summary>
    /// Builds one amphora for the load balancer (STANDALONE), or in a failover the replacements of the
    /// amphorae being retired, with their roles. Revert deletes what was built.
    /// </summary>
    public static IFlowTask BuildAmphorae() => new FlowTask(nameof(BuildAmphorae), async (c, ct) =>
    {
        if (!await UsesDriversAsync(c, ct))
        {
            return;
        }

        var compute = c.Services.GetRequiredService<IComputeDriver>();
        var amphoraDriver = c.Services.GetRequiredService<IAmphoraDriver>();
        var lbId = c.State.LoadBalancerId!;
        var lb = await c.DbAsync(db => db.LoadBalancers.FirstAsync(x => x.Id == lbId, ct), ct);
        var roles = await c.DbAsync(db => db.Amphorae.Where(a => c.State.OldAmphoraIds != null && c.State.OldAmphoraIds.Contains(a.Id))
            .Select(a => a.Role).ToListAsync(ct), ct);
        if (roles.Count == 0)
        {
            roles = lb.Topology == "ACTIVE_STANDBY" ? [AmphoraStatus.RoleMaster, AmphoraStatus.RoleBackup] : [AmphoraStatus.RoleStandalone];
        }

        c.State.NewAmphoraIds ??= [];
        var existing = await c.DbAsync(db => db.Amphorae.Where(a => c.State.NewAmphoraIds.Contains(a.Id)).ToListAsync(ct), ct);
        for (var i = existing.Count; i < roles.Count; i++)
        {
            var amphora = new Amphora
            {
                Id = Guid.NewGuid().ToString(),
                Status = AmphoraStatus.PendingCreate,
                CreatedAt = c.Now,
                LoadBalancerId = lbId,
                Role = roles[i],
                CertExpiration = c.Now.AddDays(30),
            };
            c.State.NewAmphoraIds.Add(amphora.Id);
            await c.DbAsync(db =>
            {
                db.Amphorae.Add(amphora);
                return Task.CompletedTask;
            }, ct);
            existing.Add(amphora);
        }

        var certificates = c.Services.GetRequiredService<IAmphoraCertificateIssuer>();
        foreach (var amphora in existing.Where(a => a.Status != AmphoraStatus.Allocated))
        {
            // The amphora's own certificate travels in its boot files, as upstream's config drive does.
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var certificate = certificates.Issue(amphora.Id);
            var issued = watch.Elapsed;
            var built = await compute.BuildAsync(new AmphoraBuild(amphora.Id, certificate.Pem), ct);
            var booted = watch.Elapsed;
            await c.DbAsync(db => db.Amphorae.Where(a => a.Id == amphora.Id).ExecuteUpdateAsync(x => x
                .SetProperty(a => a.Status, AmphoraStatus.Booting)
                .SetProperty(a => a.ComputeId, built.ComputeId)
                .SetProperty(a => a.LbNetworkIp, built.ManagementAddress)
                .SetProperty(a => a.CertExpiration, certificate.NotAfter)
                .SetProperty(a => a.UpdatedAt, c.Now), ct), ct);
            await amphoraDriver.WaitForAmphoraAsync(amphora.Id, ct);
            var answered = watch.Elapsed;
            await c.DbAsync(db => db.Amphorae.Where(a => a.Id == amphora.Id).ExecuteUpdateAsync(x => x
                .SetProperty(a => a.VrrpIp, lb.VipAddress)
                .SetProperty(a => a.HaIp, lb.VipAddress)
                .SetProperty(a => a.HaPortId, lb.VipPortId)
                .SetProperty(a => a.VrrpId, 1)
                .SetProperty(a => a.VrrpPriority, a => a.Role == AmphoraStatus.RoleMaster ? 100 : a.Role == AmphoraStatus.RoleBackup ? 90 : (int?)null), ct), ct);
            await amphoraDriver.PlugVipAsync(amphora.Id, ct);
            c.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AmphoraTasks)).LogInformation(
                "Built amphora {Amphora} in {Total:F0} ms: certificate {Issued:F0}, compute {Booted:F0}, agent answering {Answered:F0}, VIP plugged {Plugged:F0}",
                amphora.Id, watch.Elapsed.TotalMilliseconds, issued.TotalMilliseconds, (booted - issued).TotalMilliseconds,
                (answered - booted).TotalMilliseconds, (watch.Elapsed - answered).TotalMilliseconds);
            await c.DbAsync(db => db.Amphorae.Where(a => a.Id == amphora.Id).ExecuteUpdateAsync(x => x
                .SetProperty(a => a.Status, AmphoraStatus.Allocated)
                .SetProperty(a => a.UpdatedAt, c.Now), ct), ct);
        }
    },
    async (c, ct) =>
    {
        var ids = c.State.NewAmphoraIds ?? [];
        var built = await c.DbAsync(db => db.Amphorae.Where(a => ids.Contains(a.Id)).ToListAsync(ct), ct);
        foreach (var amphora in built)
        {
            await RemoveAmphoraAsync(c, amphora, ct);
        }

        await c.DbAsync(db => db.Amphorae.Where(a => ids.Contains(a.Id))
            .ExecuteUpdateAsync(x => x.SetProperty(a => a.Status, AmphoraStatus.Deleted).SetProperty(a => a.UpdatedAt, c.Now), ct), ct);
    });

    /// <summary>Retires amphorae: compute instance removed, row DELETED.</summary>
    public static IFlowTask DeleteAmphorae(Func<FlowContext, CancellationToken, Task<List<string>>> which) => new FlowTask(nameof(DeleteAmphorae), async (c, ct) =>
    {
        var ids = await which(c, ct);
        var rows = await c.DbAsync(db => db.Amphorae.Where(a => ids.Contains(a.Id)).ToListAsync(ct), ct);
        foreach (var amphora in rows.Where(a => a.Status != AmphoraStatus.Deleted))
        {
            await RemoveAmphoraAsync(c, amphora, ct);
        }

        await c.DbAsync(async db =>
        {
            await db.Amphorae.Where(a => ids.Contains(a.Id))
                .ExecuteUpdateAsync(x => x.SetProperty(a => a.Status, AmphoraStatus.Deleted).SetProperty(a => a.UpdatedAt, c.Now), ct);
            await db.AmphoraHealth.Where(h => ids.Contains(h.AmphoraId)).ExecuteDeleteAsync(ct);
        }, ct);
    });

    /// <summary>An amphora's compute instance and every port it holds, gone; both steps succeed when already done.</summary>
    private static async Task RemoveAmphoraAsync(FlowContext c, Amphora amphora, CancellationToken ct)
    {
        if (amphora.ComputeId is not null)
        {
            await c.Services.GetRequiredService<IComputeDriver>().DeleteAsync(amphora.ComputeId, ct);
        }

        var network = c.Services.GetRequiredService<INetworkDriver>();
        foreach (var port in await network.PortsOfAsync(amphora.Id, ct))
        {
            await network.UnplugAsync(port.PortId, ct);
        }

        // Whoever still serves the VIP (a failover's new amphora) must get the host's packets from now on.
        var vip = await c.DbAsync(db => db.LoadBalancers.Where(lb => lb.Id == amphora.LoadBalancerId)
            .Select(lb => new { lb.VipSubnetId, lb.VipAddress }).FirstOrDefaultAsync(ct), ct);
        if (vip is { VipSubnetId: not null, VipAddress: not null })
        {
            await network.ForgetNeighbourAsync(vip.VipSubnetId, vip.VipAddress, ct);
        }
    }

    /// <summary>
    /// Remembers the amphorae of the load balancer that a failover replaces and takes them out of service:
    /// PENDING_DELETE (configuration pushes skip them) with their health rows busy (the stale scan skips them).
    /// Revert leaves them in ERROR, as upstream.
    /// </summary>
    public static IFlowTask SelectAmphoraeToReplace() => new FlowTask(nameof(SelectAmphoraeToReplace), async (c, ct) =>
    {
        c.State.OldAmphoraIds ??= c.State.AmphoraId is { } single
            ? [single]
            : await c.DbAsync(db => db.Amphorae.Where(a => a.LoadBalancerId == c.State.LoadBalancerId
                && (a.Status == AmphoraStatus.Allocated || a.Status == AmphoraStatus.Error || a.Status == AmphoraStatus.FailoverStopped))
                .Select(a => a.Id).ToListAsync(ct), ct);
        var ids = c.State.OldAmphoraIds;
        await c.DbAsync(async db =>
        {
            await db.Amphorae.Where(a => ids.Contains(a.Id) && a.Status != AmphoraStatus.Deleted)
                .ExecuteUpdateAsync(x => x.SetProperty(a => a.Status, AmphoraStatus.PendingDelete).SetProperty(a => a.UpdatedAt, c.Now), ct);
            await db.AmphoraHealth.Where(h => ids.Contains(h.AmphoraId)).ExecuteUpdateAsync(x => x.SetProperty(h => h.Busy, true), ct);
        }, ct);
    },
    async (c, ct) =>
    {
        var ids = c.State.OldAmphoraIds ?? [];
        await c.DbAsync(db => db.Amphorae.Where(a => ids.Contains(a.Id) && a.Status == AmphoraStatus.PendingDelete)
            .ExecuteUpdateAsync(x => x.SetProperty(a => a.Status, AmphoraStatus.Error).SetProperty(a => a.UpdatedAt, c.Now), ct), ct);
    });

    public static IFlowTask UpdateAgentConfig() => new FlowTask(nameof(UpdateAgentConfig), (c, ct) =>
        c.Services.GetRequiredService<IAmphoraDriver>().UpdateAgentConfigAsync(c.State.AmphoraId!, ct));

    public static IFlowTask DeallocateVip() => new FlowTask(nameof(DeallocateVip), async (c, ct) =>
    {
        var lb = await c.DbAsync(db => db.LoadBalancers.FirstOrDefaultAsync(x => x.Id == c.State.LoadBalancerId, ct), ct);
        if (lb is not null && lb.Provider != "noop_driver")
        {
            await c.Services.GetRequiredService<INetworkDriver>().DeallocateVipAsync(lb.Id, lb.VipPortId, ct);
        }
    });

    public static Task<List<string>> AllAmphoraeOf(FlowContext c, CancellationToken ct) =>
        c.DbAsync(db => db.Amphorae.Where(a => a.LoadBalancerId == c.State.LoadBalancerId && a.Status != AmphoraStatus.Deleted)
            .Select(a => a.Id).ToListAsync(ct), ct);

    public static Task<List<string>> ReplacedAmphorae(FlowContext c, CancellationToken ct) => Task.FromResult(c.State.OldAmphoraIds ?? []);
}
