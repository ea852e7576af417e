using System.Data.Common;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Octavia.Core.Jobs;

namespace Octavia.Db.Jobs;

/// <summary>
/// The durable job table: the API adds jobs in its own transaction (outbox); workers claim them with a
/// lease, checkpoint after each task and finish them. PostgreSQL claims with FOR UPDATE SKIP LOCKED and
/// wakes workers with NOTIFY; SQLite serializes writers and wakes in-process workers through <see cref="JobSignal"/>.
/// </summary>
public sealed class JobQueue(IServiceScopeFactory scopes, JobSignal signal, TimeProvider time)
{
    public const string NotifyChannel = "octavia_jobs";

    internal static readonly JsonSerializerOptions StateJson = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    /// <summary>Adds a job to the caller's unit of work; it is stored by the caller's SaveChanges.</summary>
    public Job Add(OctaviaDbContext db, string kind, FlowState state)
    {
        var job = new Job
        {
            Kind = kind,
            State = JsonSerializer.Serialize(state, StateJson),
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        db.Jobs.Add(job);
        return job;
    }

    /// <summary>Wakes workers after the caller's transaction committed.</summary>
    public async Task NotifyCommittedAsync(OctaviaDbContext db, CancellationToken cancellationToken)
    {
        signal.Notify();
        if (db.IsPostgres)
        {
            await db.Database.ExecuteSqlRawAsync("NOTIFY " + NotifyChannel, cancellationToken);
        }
    }

    /// <summary>Claims the oldest runnable job (pending, or running with an expired lease), or returns null.</summary>
    public async Task<Job?> ClaimAsync(string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OctaviaDbContext>();
        var now = time.GetUtcNow().UtcDateTime;
        var lockClause = db.IsPostgres ? " FOR UPDATE SKIP LOCKED" : "";
        var sql =
            "UPDATE jobs SET status = 'RUNNING', lease_owner = @owner, lease_expires_at = @expires, attempts = attempts + 1, updated_at = @now " +
            "WHERE id = (SELECT id FROM jobs WHERE status = 'PENDING' OR (status = 'RUNNING' AND lease_expires_at < @now) " +
            "ORDER BY id LIMIT 1" + lockClause + ") RETURNING id";
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        long? id;
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = sql;
            AddParameter(command, "@owner", owner);
            AddParameter(command, "@expires", now + lease);
            AddParameter(command, "@now", now);
            var result = await command.ExecuteScalarAsync(cancellationToken);
            id = result is null or DBNull ? null : Convert.ToInt64(result, System.Globalization.CultureInfo.InvariantCulture);
        }

        return id is null ? null : await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id, cancellationToken);
    }

    /// <summary>
    /// Stores progress and renews the lease. Returns false when the lease was lost to another worker,
    /// in which case the caller must stop working on the job.
    /// </summary>
    public async Task<bool> CheckpointAsync(Job job, string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OctaviaDbContext>();
        var now = time.GetUtcNow().UtcDateTime;
        var rows = await db.Jobs.Where(j => j.Id == job.Id && j.LeaseOwner == owner && j.Status == JobStatus.Running)
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.State, job.State)
                .SetProperty(j => j.Step, job.Step)
                .SetProperty(j => j.Phase, job.Phase)
                .SetProperty(j => j.LastError, job.LastError)
                .SetProperty(j => j.LeaseExpiresAt, now + lease)
                .SetProperty(j => j.UpdatedAt, now), cancellationToken);
        return rows == 1;
    }

    /// <summary>Extends the lease of a job still owned by <paramref name="owner"/>; false when it was lost.</summary>
    public async Task<bool> RenewLeaseAsync(long jobId, string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OctaviaDbContext>();
        var expires = time.GetUtcNow().UtcDateTime + lease;
        return await db.Jobs.Where(j => j.Id == jobId && j.LeaseOwner == owner && j.Status == JobStatus.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseExpiresAt, expires), cancellationToken) == 1;
    }

    /// <summary>Marks the job finished (DONE or FAILED) if this worker still owns it.</summary>
    public async Task<bool> FinishAsync(Job job, string owner, string status, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OctaviaDbContext>();
        var now = time.GetUtcNow().UtcDateTime;
        var rows = await db.Jobs.Where(j => j.Id == job.Id && j.LeaseOwner == owner)
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, status)
                .SetProperty(j => j.State, job.State)
                .SetProperty(j => j.Step, job.Step)
                .SetProperty(j => j.Phase, job.Phase)
                .SetProperty(j => j.LastError, job.LastError)
                .SetProperty(j => j.LeaseExpiresAt, (DateTime?)null)
                .SetProperty(j => j.UpdatedAt, now), cancellationToken);
        return rows == 1;
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
    }
}
