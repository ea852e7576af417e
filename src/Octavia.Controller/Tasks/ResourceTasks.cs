using Microsoft.EntityFrameworkCore;
using Octavia.Controller.Engine;
using Octavia.Core.Statuses;
using Octavia.Db;

namespace Octavia.Controller.Tasks;

/// <summary>Per-resource database tasks: mark ACTIVE (with upstream's operating status), delete the row, guard to ERROR.</summary>
public static class ResourceTasks
{
    // ----- Listener -----

    public static IFlowTask ListenerToErrorOnRevert() => DatabaseTasks.ChildToErrorOnRevert(nameof(ListenerToErrorOnRevert), (db, c, ct) =>
        db.Listeners.Where(l => l.Id == c.State.ListenerId).ExecuteUpdateAsync(x => x.SetProperty(l => l.ProvisioningStatus, ProvisioningStatus.Error), ct));

    public static IFlowTask MarkListenerActive() => new FlowTask(nameof(MarkListenerActive), (c, ct) => c.DbAsync(db =>
        db.Listeners.Where(l => l.Id == c.State.ListenerId)
            .ExecuteUpdateAsync(x => x.SetProperty(l => l.ProvisioningStatus, ProvisioningStatus.Active).SetProperty(l => l.UpdatedAt, c.Now), ct), ct));

    public static IFlowTask DeleteListenerInDb() => new FlowTask(nameof(DeleteListenerInDb), (c, ct) => c.DbAsync(async db =>
    {
        var id = c.State.ListenerId;
        await db.ListenerStatistics.Where(s => s.ListenerId == id).ExecuteDeleteAsync(ct);
        await db.L7Rules.Where(r => r.L7Policy!.ListenerId == id).ExecuteDeleteAsync(ct);
        await db.L7Policies.Where(p => p.ListenerId == id).ExecuteDeleteAsync(ct);
        await db.Listeners.Where(l => l.Id == id).ExecuteDeleteAsync(ct);
    }, ct));

    // ----- Pool -----

    public static IFlowTask PoolToErrorOnRevert() => DatabaseTasks.ChildToErrorOnRevert(nameof(PoolToErrorOnRevert), (db, c, ct) =>
        db.Pools.Where(p => p.Id == c.State.PoolId).ExecuteUpdateAsync(x => x.SetProperty(p => p.ProvisioningStatus, ProvisioningStatus.Error), ct));

    public static IFlowTask MarkPoolActive() => new FlowTask(nameof(MarkPoolActive), (c, ct) => c.DbAsync(db =>
        db.Pools.Where(p => p.Id == c.State.PoolId)
            .ExecuteUpdateAsync(x => x.SetProperty(p => p.ProvisioningStatus, ProvisioningStatus.Active).SetProperty(p => p.UpdatedAt, c.Now), ct), ct));

    public static IFlowTask DeletePoolInDb() => new FlowTask(nameof(DeletePoolInDb), (c, ct) => c.DbAsync(async db =>
    {
        var id = c.State.PoolId;
        await db.Listeners.Where(l => l.DefaultPoolId == id).ExecuteUpdateAsync(x => x.SetProperty(l => l.DefaultPoolId, (string?)null), ct);
        await db.Members.Where(m => m.PoolId == id).ExecuteDeleteAsync(ct);
        await db.HealthMonitors.Where(h => h.PoolId == id).ExecuteDeleteAsync(ct);
        await db.Pools.Where(p => p.Id == id).ExecuteDeleteAsync(ct);
    }, ct));

    // ----- Member -----

    public static IFlowTask MemberToErrorOnRevert() => DatabaseTasks.ChildToErrorOnRevert(nameof(MemberToErrorOnRevert), (db, c, ct) =>
        db.Members.Where(m => m.Id == c.State.MemberId).ExecuteUpdateAsync(x => x.SetProperty(m => m.ProvisioningStatus, ProvisioningStatus.Error), ct));

    public static IFlowTask MembersToErrorOnRevert() => DatabaseTasks.ChildToErrorOnRevert(nameof(MembersToErrorOnRevert), (db, c, ct) =>
    {
        var ids = BatchIds(c);
        return db.Members.Where(m => ids.Contains(m.Id)).ExecuteUpdateAsync(x => x.SetProperty(m => m.ProvisioningStatus, ProvisioningStatus.Error), ct);
    });

    public static IFlowTask MarkMembersActive() => new FlowTask(nameof(MarkMembersActive), (c, ct) => c.DbAsync(db =>
    {
        var ids = c.State.MemberId is { } one ? [one] : (c.State.CreatedMemberIds ?? []).Concat(c.State.UpdatedMemberIds ?? []).ToList();
        return db.Members.Where(m => ids.Contains(m.Id))
            .ExecuteUpdateAsync(x => x.SetProperty(m => m.ProvisioningStatus, ProvisioningStatus.Active).SetProperty(m => m.UpdatedAt, c.Now), ct);
    }, ct));

    public static IFlowTask DeleteMembersInDb() => new FlowTask(nameof(DeleteMembersInDb), (c, ct) => c.DbAsync(db =>
    {
        var ids = c.State.DeletedMemberIds ?? (c.State.MemberId is { } one ? [one] : []);
        return db.Members.Where(m => ids.Contains(m.Id)).ExecuteDeleteAsync(ct);
    }, ct));

    private static List<string> BatchIds(FlowContext c) =>
        (c.State.CreatedMemberIds ?? []).Concat(c.State.UpdatedMemberIds ?? []).Concat(c.State.DeletedMemberIds ?? []).ToList();

    // ----- Health monitor -----

    public static IFlowTask HealthMonitorToErrorOnRevert() => DatabaseTasks.ChildToErrorOnRevert(nameof(HealthMonitorToErrorOnRevert), (db, c, ct) =>
        db.HealthMonitors.Where(h => h.Id == c.State.HealthMonitorId).ExecuteUpdateAsync(x => x.SetProperty(h => h.ProvisioningStatus, ProvisioningStatus.Error), ct));

    /// <summary>The monitor ACTIVE, and ONLINE when enabled (OFFLINE otherwise), as upstream's flow sets it.</summary>
    public static IFlowTask MarkHealthMonitorActive() => new FlowTask(nameof(MarkHealthMonitorActive), (c, ct) => c.DbAsync(db =>
        db.HealthMonitors.Where(h => h.Id == c.State.HealthMonitorId)
            .ExecuteUpdateAsync(x => x.SetProperty(h => h.ProvisioningStatus, ProvisioningStatus.Active)
                .SetProperty(h => h.OperatingStatus, h => h.Enabled ? OperatingStatus.Online : OperatingStatus.Offline)
                .SetProperty(h => h.UpdatedAt, c.Now), ct), ct));

    /// <summary>Removes the monitor; its pool's members no longer have one (NO_MONITOR).</summary>
    public static IFlowTask DeleteHealthMonitorInDb() => new FlowTask(nameof(DeleteHealthMonitorInDb), (c, ct) => c.DbAsync(async db =>
    {
        await db.HealthMonitors.Where(h => h.Id == c.State.HealthMonitorId).ExecuteDeleteAsync(ct);
        await db.Members.Where(m => m.PoolId == c.State.PoolId)
            .ExecuteUpdateAsync(x => x.SetProperty(m => m.OperatingStatus, OperatingStatus.NoMonitor), ct);
    }, ct));

    // ----- L7 policy -----

    public static IFlowTask L7PolicyToErrorOnRevert() => DatabaseTasks.ChildToErrorOnRevert(nameof(L7PolicyToErrorOnRevert), (db, c, ct) =>
        db.L7Policies.Where(p => p.Id == c.State.L7PolicyId).ExecuteUpdateAsync(x => x.SetProperty(p => p.ProvisioningStatus, ProvisioningStatus.Error), ct));

    public static IFlowTask MarkL7PolicyActive() => new FlowTask(nameof(MarkL7PolicyActive), (c, ct) => c.DbAsync(db =>
        db.L7Policies.Where(p => p.Id == c.State.L7PolicyId)
            .ExecuteUpdateAsync(x => x.SetProperty(p => p.ProvisioningStatus, ProvisioningStatus.Active)
                .SetProperty(p => p.OperatingStatus, p => p.Enabled ? OperatingStatus.Online : OperatingStatus.Offline)
                .SetProperty(p => p.UpdatedAt, c.Now), ct), ct));

    /// <summary>Removes the policy and its rules and closes the gap in the listener's positions.</summary>
    public static IFlowTask DeleteL7PolicyInDb() => new FlowTask(nameof(DeleteL7PolicyInDb), (c, ct) => c.DbAsync(async db =>
    {
        var policy = await db.L7Policies.FirstOrDefaultAsync(p => p.Id == c.State.L7PolicyId, ct);
        if (policy is null)
        {
            return;
        }

        await db.L7Rules.Where(r => r.L7PolicyId == policy.Id).ExecuteDeleteAsync(ct);
        await db.L7Policies.Where(p => p.Id == policy.Id).ExecuteDeleteAsync(ct);
        await L7Positions.CompactAsync(db, policy.ListenerId, ct);
    }, ct));

    // ----- L7 rule -----

    public static IFlowTask L7RuleToErrorOnRevert() => DatabaseTasks.ChildToErrorOnRevert(nameof(L7RuleToErrorOnRevert), (db, c, ct) =>
        db.L7Rules.Where(r => r.Id == c.State.L7RuleId).ExecuteUpdateAsync(x => x.SetProperty(r => r.ProvisioningStatus, ProvisioningStatus.Error), ct));

    public static IFlowTask MarkL7RuleActive() => new FlowTask(nameof(MarkL7RuleActive), (c, ct) => c.DbAsync(db =>
        db.L7Rules.Where(r => r.Id == c.State.L7RuleId)
            .ExecuteUpdateAsync(x => x.SetProperty(r => r.ProvisioningStatus, ProvisioningStatus.Active)
                .SetProperty(r => r.OperatingStatus, r => r.Enabled ? OperatingStatus.Online : OperatingStatus.Offline)
                .SetProperty(r => r.UpdatedAt, c.Now), ct), ct));

    public static IFlowTask DeleteL7RuleInDb() => new FlowTask(nameof(DeleteL7RuleInDb), (c, ct) => c.DbAsync(db =>
        db.L7Rules.Where(r => r.Id == c.State.L7RuleId).ExecuteDeleteAsync(ct), ct));
}

/// <summary>Keeps a listener's L7 policy positions contiguous (1..N), as upstream does after a delete.</summary>
public static class L7Positions
{
    public static async Task CompactAsync(OctaviaDbContext db, string listenerId, CancellationToken ct)
    {
        var policies = await db.L7Policies.AsTracking().Where(p => p.ListenerId == listenerId).OrderBy(p => p.Position).ToListAsync(ct);
        for (var i = 0; i < policies.Count; i++)
        {
            policies[i].Position = i + 1;
        }
    }
}
