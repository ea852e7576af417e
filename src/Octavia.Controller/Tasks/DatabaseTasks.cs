using Microsoft.EntityFrameworkCore;
using Octavia.Controller.Engine;
using Octavia.Core.Statuses;
using Octavia.Db;

namespace Octavia.Controller.Tasks;

/// <summary>
/// Status and row changes in the database (upstream's database_tasks): the guards at the head of every
/// flow, the "mark active" tails, and the row deletions. Each is idempotent.
/// </summary>
public static class DatabaseTasks
{
    private static string Id(string? id, string what) => id ?? throw new PermanentTaskException($"The flow has no {what} id.");

    // ----- Guards (revert only) -------------------------------------------------------------------

    public static IFlowTask LoadBalancerToErrorOnRevert() => FlowTask.Guard(nameof(LoadBalancerToErrorOnRevert), (c, ct) =>
        c.DbAsync(db => SetLoadBalancer(db, c, ProvisioningStatus.Error, ct), ct));

    /// <summary>Child-object guard: the object goes to ERROR, its parents back to ACTIVE (reference/controller.md §2).</summary>
    public static IFlowTask ChildToErrorOnRevert(string name, Func<OctaviaDbContext, FlowContext, CancellationToken, Task> markObjectError) =>
        FlowTask.Guard(name, (c, ct) => c.DbAsync(async db =>
        {
            await markObjectError(db, c, ct);
            await UnlockParentsAsync(db, c, ct);
        }, ct));

    /// <summary>The amphora to ERROR, unless a revert before this one already removed it (DELETED stays DELETED).</summary>
    public static IFlowTask AmphoraToErrorOnRevert() => FlowTask.Guard(nameof(AmphoraToErrorOnRevert), (c, ct) =>
        c.DbAsync(db => db.Amphorae.Where(a => a.Id == c.State.AmphoraId && a.Status != AmphoraStatus.Deleted)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, AmphoraStatus.Error).SetProperty(a => a.UpdatedAt, c.Now), ct), ct));

    /// <summary>
    /// Certificate rotation's guard: a failed rotation frees the amphora for the next one and changes nothing
    /// else. Upstream puts the amphora in ERROR; here it keeps serving with its old certificate, which is still
    /// valid for the rest of <c>cert_expiry_buffer</c> (docs/decisions.md).
    /// </summary>
    public static IFlowTask CertificateNotBusyOnRevert() => FlowTask.Guard(nameof(CertificateNotBusyOnRevert), (c, ct) =>
        c.DbAsync(db => db.Amphorae.Where(a => a.Id == c.State.AmphoraId).ExecuteUpdateAsync(s => s.SetProperty(a => a.CertBusy, false), ct), ct));

    // ----- Tails ----------------------------------------------------------------------------------

    /// <summary>Parent pool or L7 policy, the load balancer's listeners (unless ERROR) and the load balancer back to ACTIVE.</summary>
    public static IFlowTask MarkParentsActive() => new FlowTask(nameof(MarkParentsActive), (c, ct) =>
        c.DbAsync(db => UnlockParentsAsync(db, c, ct), ct));

    public static async Task UnlockParentsAsync(OctaviaDbContext db, FlowContext c, CancellationToken ct)
    {
        var s = c.State;
        if (s.PoolId is not null && s.HealthMonitorId is not null || s.PoolId is not null && (s.MemberId is not null || s.CreatedMemberIds is not null || s.UpdatedMemberIds is not null || s.DeletedMemberIds is not null))
        {
            await db.Pools.Where(p => p.Id == s.PoolId && p.ProvisioningStatus != ProvisioningStatus.PendingDelete)
                .ExecuteUpdateAsync(x => x.SetProperty(p => p.ProvisioningStatus, ProvisioningStatus.Active).SetProperty(p => p.UpdatedAt, c.Now), ct);
        }

        if (s.L7PolicyId is not null && s.L7RuleId is not null)
        {
            await db.L7Policies.Where(p => p.Id == s.L7PolicyId)
                .ExecuteUpdateAsync(x => x.SetProperty(p => p.ProvisioningStatus, ProvisioningStatus.Active).SetProperty(p => p.UpdatedAt, c.Now), ct);
        }

        await db.Listeners.Where(l => l.LoadBalancerId == s.LoadBalancerId && l.ProvisioningStatus == ProvisioningStatus.PendingUpdate)
            .ExecuteUpdateAsync(x => x.SetProperty(l => l.ProvisioningStatus, ProvisioningStatus.Active).SetProperty(l => l.UpdatedAt, c.Now), ct);
        await SetLoadBalancer(db, c, ProvisioningStatus.Active, ct);
    }

    public static Task SetLoadBalancer(OctaviaDbContext db, FlowContext c, string status, CancellationToken ct) =>
        db.LoadBalancers.Where(lb => lb.Id == c.State.LoadBalancerId && lb.ProvisioningStatus != ProvisioningStatus.Deleted)
            .ExecuteUpdateAsync(x => x.SetProperty(lb => lb.ProvisioningStatus, status).SetProperty(lb => lb.UpdatedAt, c.Now), ct);

    /// <summary>
    /// Load balancer create's tail ("mark sub-objects"): the load balancer and every child ACTIVE; enabled
    /// monitors, L7 policies and rules ONLINE, disabled ones OFFLINE.
    /// </summary>
    public static IFlowTask MarkLoadBalancerAndChildrenActive() => new FlowTask(nameof(MarkLoadBalancerAndChildrenActive),
        (c, ct) => c.DbAsync(async db =>
        {
            var lbId = Id(c.State.LoadBalancerId, "load balancer");
            var now = c.Now;
            await db.Listeners.Where(l => l.LoadBalancerId == lbId)
                .ExecuteUpdateAsync(x => x.SetProperty(l => l.ProvisioningStatus, ProvisioningStatus.Active).SetProperty(l => l.UpdatedAt, now), ct);
            await db.Pools.Where(p => p.LoadBalancerId == lbId)
                .ExecuteUpdateAsync(x => x.SetProperty(p => p.ProvisioningStatus, ProvisioningStatus.Active).SetProperty(p => p.UpdatedAt, now), ct);
            await db.Members.Where(m => m.Pool!.LoadBalancerId == lbId)
                .ExecuteUpdateAsync(x => x.SetProperty(m => m.ProvisioningStatus, ProvisioningStatus.Active).SetProperty(m => m.UpdatedAt, now), ct);
            await db.HealthMonitors.Where(h => h.Pool!.LoadBalancerId == lbId)
                .ExecuteUpdateAsync(x => x.SetProperty(h => h.ProvisioningStatus, ProvisioningStatus.Active)
                    .SetProperty(h => h.OperatingStatus, h => h.Enabled ? OperatingStatus.Online : OperatingStatus.Offline)
                    .SetProperty(h => h.UpdatedAt, now), ct);
            await db.L7Policies.Where(p => p.Listener!.LoadBalancerId == lbId)
                .ExecuteUpdateAsync(x => x.SetProperty(p => p.ProvisioningStatus, ProvisioningStatus.Active)
                    .SetProperty(p => p.OperatingStatus, p => p.Enabled ? OperatingStatus.Online : OperatingStatus.Offline)
                    .SetProperty(p => p.UpdatedAt, now), ct);
            await db.L7Rules.Where(r => r.L7Policy!.Listener!.LoadBalancerId == lbId)
                .ExecuteUpdateAsync(x => x.SetProperty(r => r.ProvisioningStatus, ProvisioningStatus.Active)
                    .SetProperty(r => r.OperatingStatus, r => r.Enabled ? OperatingStatus.Online : OperatingStatus.Offline)
                    .SetProperty(r => r.UpdatedAt, now), ct);
            await SetLoadBalancer(db, c, ProvisioningStatus.Active, ct);
        }, ct),
        (c, ct) => c.DbAsync(db => ChildrenToErrorAsync(db, c.State.LoadBalancerId, ct), ct));

    /// <summary>
    /// Load balancer create's guard: the load balancer ERROR, and so is every child the create brought
    /// along (a single-call create), so that nothing it touched stays PENDING.
    /// </summary>
    public static IFlowTask LoadBalancerAndChildrenToErrorOnRevert() => FlowTask.Guard(nameof(LoadBalancerAndChildrenToErrorOnRevert), (c, ct) =>
        c.DbAsync(async db =>
        {
            await ChildrenToErrorAsync(db, c.State.LoadBalancerId, ct);
            await SetLoadBalancer(db, c, ProvisioningStatus.Error, ct);
        }, ct));

    /// <summary>Every child of the load balancer that is not ACTIVE goes to ERROR.</summary>
    private static async Task ChildrenToErrorAsync(OctaviaDbContext db, string? lbId, CancellationToken ct)
    {
        const string active = ProvisioningStatus.Active;
        const string error = ProvisioningStatus.Error;
        await db.Listeners.Where(l => l.LoadBalancerId == lbId && l.ProvisioningStatus != active)
            .ExecuteUpdateAsync(x => x.SetProperty(l => l.ProvisioningStatus, error), ct);
        await db.Pools.Where(p => p.LoadBalancerId == lbId && p.ProvisioningStatus != active)
            .ExecuteUpdateAsync(x => x.SetProperty(p => p.ProvisioningStatus, error), ct);
        await db.Members.Where(m => m.Pool!.LoadBalancerId == lbId && m.ProvisioningStatus != active)
            .ExecuteUpdateAsync(x => x.SetProperty(m => m.ProvisioningStatus, error), ct);
        await db.HealthMonitors.Where(h => h.Pool!.LoadBalancerId == lbId && h.ProvisioningStatus != active)
            .ExecuteUpdateAsync(x => x.SetProperty(h => h.ProvisioningStatus, error), ct);
        await db.L7Policies.Where(p => p.Listener!.LoadBalancerId == lbId && p.ProvisioningStatus != active)
            .ExecuteUpdateAsync(x => x.SetProperty(p => p.ProvisioningStatus, error), ct);
        await db.L7Rules.Where(r => r.L7Policy!.Listener!.LoadBalancerId == lbId && r.ProvisioningStatus != active)
            .ExecuteUpdateAsync(x => x.SetProperty(r => r.ProvisioningStatus, error), ct);
    }

    public static IFlowTask MarkLoadBalancerActive() => new FlowTask(nameof(MarkLoadBalancerActive), (c, ct) =>
        c.DbAsync(db => SetLoadBalancer(db, c, ProvisioningStatus.Active, ct), ct));

    /// <summary>Removes the load balancer's rows (cascade), its statistics and amphora rows, and marks it DELETED (kept for housekeeping).</summary>
    public static IFlowTask MarkLoadBalancerDeleted() => new FlowTask(nameof(MarkLoadBalancerDeleted), (c, ct) => c.DbAsync(async db =>
    {
        var lbId = Id(c.State.LoadBalancerId, "load balancer");
        var listenerIds = await db.Listeners.Where(l => l.LoadBalancerId == lbId).Select(l => l.Id).ToListAsync(ct);
        await db.ListenerStatistics.Where(s => listenerIds.Contains(s.ListenerId)).ExecuteDeleteAsync(ct);
        await db.L7Rules.Where(r => listenerIds.Contains(r.L7Policy!.ListenerId)).ExecuteDeleteAsync(ct);
        await db.L7Policies.Where(p => listenerIds.Contains(p.ListenerId)).ExecuteDeleteAsync(ct);
        await db.Listeners.Where(l => l.LoadBalancerId == lbId).ExecuteDeleteAsync(ct);
        await db.Members.Where(m => m.Pool!.LoadBalancerId == lbId).ExecuteDeleteAsync(ct);
        await db.HealthMonitors.Where(h => h.Pool!.LoadBalancerId == lbId).ExecuteDeleteAsync(ct);
        await db.Pools.Where(p => p.LoadBalancerId == lbId).ExecuteDeleteAsync(ct);
        await db.Amphorae.Where(a => a.LoadBalancerId == lbId && a.Status != AmphoraStatus.Deleted)
            .ExecuteUpdateAsync(x => x.SetProperty(a => a.Status, AmphoraStatus.Deleted).SetProperty(a => a.UpdatedAt, c.Now), ct);
        await db.LoadBalancers.Where(lb => lb.Id == lbId)
            .ExecuteUpdateAsync(x => x.SetProperty(lb => lb.ProvisioningStatus, ProvisioningStatus.Deleted)
                .SetProperty(lb => lb.OperatingStatus, OperatingStatus.Offline).SetProperty(lb => lb.UpdatedAt, c.Now), ct);
    }, ct));
}
