using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Octavia.Controller.Engine;
using Octavia.Core.Drivers;
using Octavia.Core.Jobs;
using Octavia.Core.Logging;
using Octavia.Core.Model;
using Octavia.Core.Statuses;
using Octavia.Db;
using Octavia.Db.Jobs;
using Octavia.Db.Stores;

namespace Octavia.Controller.Tasks;

/// <summary>Tasks that reach amphorae through the compute and amphora drivers.</summary>
public static partial class AmphoraTasks
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
    /// How long a spare may take to answer when a flow takes it. One that does not (its agent died while it
    /// waited) is retired and the flow takes another spare or boots an amphora: it never waits a boot's time
    /// for an amphora that is supposed to be running already.
    /// </summary>
    private static readonly TimeSpan SpareAnswerTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Gives the load balancer its amphorae: one STANDALONE (or MASTER and BACKUP), or in a failover the
    /// replacements of the amphorae being retired, with their roles. Each is a READY spare when the pool has
    /// one, else booted now; then its VIP is plugged and it is ALLOCATED. Revert deletes what was built or taken.
    /// </summary>
    public static IFlowTask BuildAmphorae() => new FlowTask(nameof(BuildAmphorae), async (c, ct) =>
    {
        if (!await UsesDriversAsync(c, ct))
        {
            return;
        }

        var amphoraDriver = c.Services.GetRequiredService<IAmphoraDriver>();
        var lbId = c.State.LoadBalancerId!;
        var lb = await c.DbAsync(db => db.LoadBalancers.FirstAsync(x => x.Id == lbId, ct), ct);
        var retired = c.State.OldAmphoraIds ?? [];
        var roles = await c.DbAsync(db => db.Amphorae.Where(a => retired.Contains(a.Id)).Select(a => a.Role).ToListAsync(ct), ct);
        if (roles.Count == 0)
        {
            roles = lb.Topology == "ACTIVE_STANDBY" ? [AmphoraStatus.RoleMaster, AmphoraStatus.RoleBackup] : [AmphoraStatus.RoleStandalone];
        }

        // A run cut short (a worker killed before the checkpoint) may have made or taken amphorae for this
        // load balancer without recording them: they are this flow's, so adopt them instead of adding more.
        var built = c.State.NewAmphoraIds ??= [];
        built.AddRange(await c.DbAsync(db => db.Amphorae.Where(a => a.LoadBalancerId == lbId && !retired.Contains(a.Id) && !built.Contains(a.Id)
            && (a.Status == AmphoraStatus.PendingCreate || a.Status == AmphoraStatus.Booting)).Select(a => a.Id).ToListAsync(ct), ct));
        var amphorae = await c.DbAsync(db => db.Amphorae.Where(a => built.Contains(a.Id) && a.Status != AmphoraStatus.Deleted).ToListAsync(ct), ct);
        var missing = roles.ToList();
        foreach (var amphora in amphorae)
        {
            missing.Remove(amphora.Role);
        }

        var answered = new HashSet<string>();
        foreach (var role in missing)
        {
            if (await TakeSpareAsync(c, lbId, role, ct) is { } spare)
            {
                amphorae.Add(spare);
                answered.Add(spare.Id);
                continue;
            }

            var amphora = new Amphora
            {
                Id = Guid.NewGuid().ToString(),
                Status = AmphoraStatus.PendingCreate,
                CreatedAt = c.Now,
                LoadBalancerId = lbId,
                Role = role,
                CertExpiration = c.Now.AddDays(30),
            };
            built.Add(amphora.Id);
            await c.DbAsync(db =>
            {
                db.Amphorae.Add(amphora);
                return Task.CompletedTask;
            }, ct);
            amphorae.Add(amphora);
        }

        var logger = c.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AmphoraTasks));
        foreach (var amphora in amphorae.Where(a => a.Status != AmphoraStatus.Allocated))
        {
            var watch = Stopwatch.StartNew();
            if (amphora.Status == AmphoraStatus.PendingCreate)
            {
                await BootAmphoraAsync(c, amphora, ct);
            }
            else if (!answered.Contains(amphora.Id))
            {
                await amphoraDriver.WaitForAmphoraAsync(amphora.Id, ct);
            }

            var up = watch.Elapsed;
            await c.DbAsync(db => db.Amphorae.Where(a => a.Id == amphora.Id).ExecuteUpdateAsync(x => x
                .SetProperty(a => a.VrrpIp, lb.VipAddress)
                .SetProperty(a => a.HaIp, lb.VipAddress)
                .SetProperty(a => a.HaPortId, lb.VipPortId)
                .SetProperty(a => a.VrrpId, 1)
                .SetProperty(a => a.VrrpPriority, a => a.Role == AmphoraStatus.RoleMaster ? 100 : a.Role == AmphoraStatus.RoleBackup ? 90 : (int?)null), ct), ct);
            await amphoraDriver.PlugVipAsync(amphora.Id, ct);
            await c.DbAsync(db => db.Amphorae.Where(a => a.Id == amphora.Id).ExecuteUpdateAsync(x => x
                .SetProperty(a => a.Status, AmphoraStatus.Allocated)
                .SetProperty(a => a.UpdatedAt, c.Now), ct), ct);
            LogAllocated(logger, amphora.Id, lbId, answered.Contains(amphora.Id) ? "a spare" : "booted", watch.Elapsed.TotalMilliseconds, up.TotalMilliseconds,
                (watch.Elapsed - up).TotalMilliseconds);
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

    /// <summary>
    /// Takes a READY spare for the load balancer (recorded as built by this flow, so a revert removes it).
    /// A spare that does not answer goes to PENDING_DELETE with its
    /// delete job in the same transaction, and the next spare is tried. Null when none is left.
    /// </summary>
    private static async Task<Amphora?> TakeSpareAsync(FlowContext c, string lbId, string? role, CancellationToken ct)
    {
        var amphoraDriver = c.Services.GetRequiredService<IAmphoraDriver>();
        var queue = c.Services.GetRequiredService<JobQueue>();
        while (await c.DbAsync(db => SpareAmphorae.ClaimAsync(db, lbId, role, c.Now, ct), ct) is { } spare)
        {
            c.State.NewAmphoraIds!.Add(spare.Id);
            if (await amphoraDriver.IsAnsweringAsync(spare.Id, SpareAnswerTimeout, ct))
            {
                return spare;
            }

            await c.DbAsync(async db =>
            {
                await db.Amphorae.Where(a => a.Id == spare.Id).ExecuteUpdateAsync(x => x
                    .SetProperty(a => a.Status, AmphoraStatus.PendingDelete)
                    .SetProperty(a => a.LoadBalancerId, (string?)null)
                    .SetProperty(a => a.Role, (string?)null)
                    .SetProperty(a => a.UpdatedAt, c.Now), ct);
                queue.Add(db, JobKinds.AmphoraDelete, new FlowState { AmphoraId = spare.Id });
            }, ct);
            await c.DbAsync(db => queue.NotifyCommittedAsync(db, ct), ct);
            c.State.NewAmphoraIds.Remove(spare.Id);
            LogSpareRetired(c.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AmphoraTasks)), spare.Id, lbId);
        }

        return null;
    }

    /// <summary>
    /// The last step of the flows that take spares: wakes housekeeping in this process, which replaces the
    /// spares taken at once rather than at its next <c>spare_check_interval</c>. Not sooner: booting the
    /// replacement (an agent starting) would compete for the CPU with the rest of the flow that took the spare.
    /// </summary>
    public static IFlowTask WakeSparePool() => new FlowTask(nameof(WakeSparePool), (c, _) =>
    {
        c.Services.GetKeyedService<JobSignal>(JobKinds.AmphoraCreateSpare)?.Notify();
        return Task.CompletedTask;
    });

    /// <summary>
    /// An amphora from nothing to an agent that answers: its own certificate (which travels in its boot files,
    /// as upstream's config drive), the compute build, BOOTING, the wait for the agent. Safe to repeat.
    /// </summary>
    private static async Task BootAmphoraAsync(FlowContext c, Amphora amphora, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var certificate = c.Services.GetRequiredService<IAmphoraCertificateIssuer>().Issue(amphora.Id);
        var issued = watch.Elapsed;
        var built = await c.Services.GetRequiredService<IComputeDriver>().BuildAsync(new AmphoraBuild(amphora.Id, certificate.Pem), ct);
        var booted = watch.Elapsed;
        await c.DbAsync(db => db.Amphorae.Where(a => a.Id == amphora.Id).ExecuteUpdateAsync(x => x
            .SetProperty(a => a.Status, AmphoraStatus.Booting)
            .SetProperty(a => a.ComputeId, built.ComputeId)
            .SetProperty(a => a.LbNetworkIp, built.ManagementAddress)
            .SetProperty(a => a.CertExpiration, certificate.NotAfter)
            .SetProperty(a => a.UpdatedAt, c.Now), ct), ct);
        amphora.Status = AmphoraStatus.Booting;
        amphora.ComputeId = built.ComputeId;
        amphora.LbNetworkIp = built.ManagementAddress;
        await c.Services.GetRequiredService<IAmphoraDriver>().WaitForAmphoraAsync(amphora.Id, ct);
        LogBooted(c.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AmphoraTasks)), amphora.Id, watch.Elapsed.TotalMilliseconds,
            issued.TotalMilliseconds, (booted - issued).TotalMilliseconds, (watch.Elapsed - booted).TotalMilliseconds);
    }

    /// <summary>
    /// Housekeeping's spare: the amphora row it made (PENDING_CREATE, no load balancer) booted until its agent
    /// answers, then READY, with no VIP: the flow that takes it plugs one. Revert removes it.
    /// </summary>
    public static IFlowTask BuildSpareAmphora() => new FlowTask(nameof(BuildSpareAmphora), async (c, ct) =>
    {
        var amphora = await c.DbAsync(db => db.Amphorae.FirstOrDefaultAsync(a => a.Id == c.State.AmphoraId, ct), ct);
        if (amphora is null || amphora.LoadBalancerId is not null
            || amphora.Status is not (AmphoraStatus.PendingCreate or AmphoraStatus.Booting))
        {
            // Already READY (a resumed flow) or taken, or gone: nothing to do.
            return;
        }

        await BootAmphoraAsync(c, amphora, ct);
        await c.DbAsync(db => db.Amphorae.Where(a => a.Id == amphora.Id && a.LoadBalancerId == null && a.Status == AmphoraStatus.Booting)
            .ExecuteUpdateAsync(x => x.SetProperty(a => a.Status, AmphoraStatus.Ready).SetProperty(a => a.UpdatedAt, c.Now), ct), ct);
    },
    async (c, ct) =>
    {
        var amphora = await c.DbAsync(db => db.Amphorae.FirstOrDefaultAsync(a => a.Id == c.State.AmphoraId && a.LoadBalancerId == null, ct), ct);
        if (amphora is null)
        {
            return;
        }

        await RemoveAmphoraAsync(c, amphora, ct);
        await c.DbAsync(db => db.Amphorae.Where(a => a.Id == amphora.Id && a.LoadBalancerId == null)
            .ExecuteUpdateAsync(x => x.SetProperty(a => a.Status, AmphoraStatus.Deleted).SetProperty(a => a.UpdatedAt, c.Now), ct), ct);
    });

    /// <summary>
    /// Certificate rotation (upstream's GenerateServerPEMTask, AmphoraCertUpload, UpdateAmphoraDBCertExpiration
    /// and UpdateAmphoraCertBusyToFalse): a new certificate for the amphora, uploaded to its agent, then its
    /// expiry stored and the amphora freed for the next rotation. Repeating it issues and uploads another.
    /// </summary>
    public static IFlowTask RotateCertificate() => new FlowTask(nameof(RotateCertificate), async (c, ct) =>
    {
        var amphora = await c.DbAsync(db => db.Amphorae.FirstOrDefaultAsync(a => a.Id == c.State.AmphoraId, ct), ct);
        if (amphora is not null && amphora.Status is not (AmphoraStatus.Deleted or AmphoraStatus.PendingDelete))
        {
            var certificate = c.Services.GetRequiredService<IAmphoraCertificateIssuer>().Issue(amphora.Id);
            await c.Services.GetRequiredService<IAmphoraDriver>().UpdateCertificateAsync(amphora.Id, certificate.Pem, ct);
            await c.DbAsync(db => db.Amphorae.Where(a => a.Id == amphora.Id)
                .ExecuteUpdateAsync(x => x.SetProperty(a => a.CertExpiration, certificate.NotAfter).SetProperty(a => a.CertBusy, false), ct), ct);
            LogCertificateRotated(c.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AmphoraTasks)), amphora.Id, certificate.NotAfter);
            return;
        }

        // Deleted meanwhile: nothing to rotate, only the flag to clear.
        await c.DbAsync(db => db.Amphorae.Where(a => a.Id == c.State.AmphoraId).ExecuteUpdateAsync(x => x.SetProperty(a => a.CertBusy, false), ct), ct);
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

    [LoggerMessage(EventId = LogEventIds.AmphoraTasksBooted, Level = LogLevel.Information,
        Message = "Booted amphora {Amphora} in {Total:F0} ms: certificate {Issued:F0}, compute {Booted:F0}, agent answering {Answered:F0}")]
    private static partial void LogBooted(ILogger logger, string amphora, double total, double issued, double booted, double answered);

    [LoggerMessage(EventId = LogEventIds.AmphoraTasksAllocated, Level = LogLevel.Information,
        Message = "Amphora {Amphora} ({Source}) allocated to load balancer {LoadBalancerId} in {Total:F0} ms: answering {Up:F0}, VIP plugged {Plugged:F0}")]
    private static partial void LogAllocated(ILogger logger, string amphora, string loadBalancerId, string source, double total, double up, double plugged);

    [LoggerMessage(EventId = LogEventIds.AmphoraTasksSpareRetired, Level = LogLevel.Warning,
        Message = "Spare amphora {Amphora} did not answer when load balancer {LoadBalancerId} took it; it is deleted and another used")]
    private static partial void LogSpareRetired(ILogger logger, string amphora, string loadBalancerId);

    [LoggerMessage(EventId = LogEventIds.AmphoraTasksCertificateRotated, Level = LogLevel.Information, Message = "Rotated the certificate of amphora {Amphora}; it now expires {NotAfter:O}")]
    private static partial void LogCertificateRotated(ILogger logger, string amphora, DateTime notAfter);
}
