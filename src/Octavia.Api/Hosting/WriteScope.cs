using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Octavia.Api.Auth;
using Octavia.Api.Faults;
using Octavia.Core.Configuration;
using Octavia.Core.Jobs;
using Octavia.Core.Statuses;
using Octavia.Db;
using Octavia.Db.Jobs;

namespace Octavia.Api.Hosting;

/// <summary>
/// One write request: a database transaction in which the API checks and sets statuses with
/// compare-and-set updates, checks quotas, stores the change and the job for it, and commits all at once
/// (the outbox: an accepted request is never lost, a refused one changes nothing).
/// </summary>
public sealed class WriteScope(OctaviaDbContext db, JobQueue jobs, TimeProvider time, IOptions<QuotaOptions> quotaDefaults)
{
    private bool _jobAdded;

    public OctaviaDbContext Db => db;

    /// <summary>Now, truncated to microseconds as the databases store it.</summary>
    public DateTime Now { get; } = Truncate(time.GetUtcNow().UtcDateTime);

    public static DateTime Truncate(DateTime t) => new(t.Ticks - t.Ticks % 10, DateTimeKind.Utc);

    public static string NewId() => Guid.NewGuid().ToString();

    public async Task<T> RunAsync<T>(Func<WriteScope, Task<T>> body, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var result = await body(this);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (_jobAdded)
        {
            await jobs.NotifyCommittedAsync(db, cancellationToken);
        }

        return result;
    }

    public void AddJob(string kind, FlowState state)
    {
        jobs.Add(db, kind, state);
        _jobAdded = true;
    }

    /// <summary>
    /// Moves the load balancer from ACTIVE to PENDING_UPDATE for a change of one of its children
    /// (the immutability rule, reference/api.md §5.2): 404 if it does not exist, 409 if it is not ACTIVE.
    /// </summary>
    public async Task LockLoadBalancerForChildAsync(string loadBalancerId, CancellationToken cancellationToken)
    {
        var rows = await db.LoadBalancers
            .Where(lb => lb.Id == loadBalancerId && lb.ProvisioningStatus == ProvisioningStatus.Active)
            .ExecuteUpdateAsync(s => s.SetProperty(lb => lb.ProvisioningStatus, ProvisioningStatus.PendingUpdate)
                .SetProperty(lb => lb.UpdatedAt, Now), cancellationToken);
        if (rows == 0)
        {
            var exists = await db.LoadBalancers.AnyAsync(lb => lb.Id == loadBalancerId && lb.ProvisioningStatus != ProvisioningStatus.Deleted, cancellationToken);
            throw exists ? ApiException.Immutable("Load Balancer", loadBalancerId) : ApiException.NotFound("Load Balancer", loadBalancerId);
        }
    }

    /// <summary>
    /// Moves the load balancer itself to <paramref name="target"/> when it is in one of
    /// <paramref name="allowed"/>; otherwise 409 "Invalid state" as upstream words it.
    /// </summary>
    public async Task LockLoadBalancerAsync(string loadBalancerId, string target, string[] allowed, CancellationToken cancellationToken)
    {
        while (true)
        {
            var rows = await db.LoadBalancers
                .Where(lb => lb.Id == loadBalancerId && allowed.Contains(lb.ProvisioningStatus))
                .ExecuteUpdateAsync(s => s.SetProperty(lb => lb.ProvisioningStatus, target).SetProperty(lb => lb.UpdatedAt, Now), cancellationToken);
            if (rows > 0)
            {
                return;
            }

            var status = await db.LoadBalancers.Where(lb => lb.Id == loadBalancerId && lb.ProvisioningStatus != ProvisioningStatus.Deleted)
                .Select(lb => lb.ProvisioningStatus).FirstOrDefaultAsync(cancellationToken);

            // The worker may have finished between the update and the read: the state now allows the
            // change, so try again rather than report an "invalid" state that is in fact allowed.
            if (status is null || !allowed.Contains(status))
            {
                throw status is null ? ApiException.NotFound("Load Balancer", loadBalancerId) : ApiException.InvalidLoadBalancerState(status, loadBalancerId);
            }
        }
    }

    /// <summary>Moves a pool from ACTIVE to <paramref name="target"/>; 409 "Pool … is immutable" otherwise.</summary>
    public async Task LockPoolAsync(string poolId, string target, CancellationToken cancellationToken)
    {
        var rows = await db.Pools.Where(p => p.Id == poolId && p.ProvisioningStatus == ProvisioningStatus.Active)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.ProvisioningStatus, target).SetProperty(p => p.UpdatedAt, Now), cancellationToken);
        if (rows == 0)
        {
            throw ApiException.Immutable("Pool", poolId);
        }
    }

    /// <summary>Moves an L7 policy from ACTIVE to <paramref name="target"/>; 409 otherwise.</summary>
    public async Task LockL7PolicyAsync(string policyId, string target, CancellationToken cancellationToken)
    {
        var rows = await db.L7Policies.Where(p => p.Id == policyId && p.ProvisioningStatus == ProvisioningStatus.Active)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.ProvisioningStatus, target).SetProperty(p => p.UpdatedAt, Now), cancellationToken);
        if (rows == 0)
        {
            throw ApiException.Immutable("L7Policy", policyId);
        }
    }

    /// <summary>Marks listeners PENDING_UPDATE (the parents of a changed pool, member, monitor or policy).</summary>
    public Task MarkListenersPendingUpdateAsync(IReadOnlyCollection<string> listenerIds, CancellationToken cancellationToken) =>
        listenerIds.Count == 0
            ? Task.CompletedTask
            : db.Listeners.Where(l => listenerIds.Contains(l.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(l => l.ProvisioningStatus, ProvisioningStatus.PendingUpdate).SetProperty(l => l.UpdatedAt, Now), cancellationToken);

    /// <summary>Listeners that use a pool: as default pool or as an L7 redirect target.</summary>
    public async Task<List<string>> ListenersOfPoolAsync(string poolId, CancellationToken cancellationToken)
    {
        var direct = await db.Listeners.Where(l => l.DefaultPoolId == poolId).Select(l => l.Id).ToListAsync(cancellationToken);
        var redirect = await db.L7Policies.Where(p => p.RedirectPoolId == poolId).Select(p => p.ListenerId).ToListAsync(cancellationToken);
        return direct.Concat(redirect).Distinct().ToList();
    }

    /// <summary>
    /// Checks that <paramref name="count"/> more objects of <paramref name="resource"/> fit in the
    /// project's quota (403 otherwise). Counting live rows inside the write transaction keeps the usage
    /// exact; on PostgreSQL the project's quota row is locked so concurrent creates cannot both pass.
    /// </summary>
    public async Task CheckQuotaAsync(RequestContext context, string projectId, QuotaResource resource, int count, CancellationToken cancellationToken)
    {
        if (!context.EnforceQuotas || count <= 0)
        {
            return;
        }

        var quota = await db.Quotas.FirstOrDefaultAsync(q => q.ProjectId == projectId, cancellationToken);
        if (quota is null)
        {
            quota = new Core.Model.Quota { ProjectId = projectId };
            db.Quotas.Add(quota);
            await db.SaveChangesAsync(cancellationToken);
        }

        if (db.IsPostgres)
        {
            await db.Database.ExecuteSqlInterpolatedAsync($"SELECT 1 FROM quotas WHERE project_id = {projectId} FOR UPDATE", cancellationToken);
        }

        var limit = QuotaLimits.Effective(quota, quotaDefaults.Value, resource);
        if (limit < 0)
        {
            return;
        }

        var inUse = await QuotaLimits.CountInUseAsync(db, projectId, resource, cancellationToken);
        if (inUse + count > limit)
        {
            throw ApiException.QuotaMet(QuotaLimits.DisplayName(resource));
        }
    }
}
