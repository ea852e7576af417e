using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Octavia.Core.Configuration;
using Octavia.Core.Drivers;
using Octavia.Core.Jobs;
using Octavia.Core.Logging;
using Octavia.Core.Model;
using Octavia.Core.Statuses;
using Octavia.Db;
using Octavia.Db.Jobs;
using Octavia.Db.Stores;

namespace Octavia.Housekeeping;

/// <summary>
/// Keeps <c>[house_keeping] spare_amphora_pool_size</c> amphorae booted ahead of time (reference/controller.md
/// §4, removed upstream in Xena; docs/decisions.md): every <c>spare_check_interval</c>, and at once when a flow
/// in this process takes a spare, it counts the spares (READY or still being built) and orders the missing
/// ones. Each order is an amphora row (PENDING_CREATE, no load balancer) and its <c>amphora.create_spare</c>
/// job, written in one transaction, so that a build in progress is counted and never ordered twice.
/// </summary>
public sealed partial class SpareAmphoraPool(
    IServiceScopeFactory scopes,
    JobQueue queue,
    IComputeDriver compute,
    [FromKeyedServices(JobKinds.AmphoraCreateSpare)] JobSignal taken,
    IOptions<HouseKeepingOptions> options,
    TimeProvider time,
    ILogger<SpareAmphoraPool> logger) : HousekeepingLoop(time, logger)
{
    /// <summary>The no-op compute driver's name: it boots nothing, so it gets no spares.</summary>
    private const string NoopComputeDriver = "compute_noop_driver";

    /// <summary>
    /// A PostgreSQL advisory lock (the key spells "octaspar") held while the pool is counted and filled, so that
    /// two housekeeping processes do not both order the same missing spare. SQLite serializes writers anyway.
    /// </summary>
    private const string FillLockSql = "SELECT pg_advisory_xact_lock(8026386922801750386)";

    private int _noopLogged;

    protected override string Job => "spare amphora pool";

    protected override TimeSpan Interval => Seconds(options.Value.SpareCheckInterval);

    protected override Task WaitAsync(TimeSpan delay, CancellationToken cancellationToken) => taken.WaitAsync(delay, cancellationToken);

    protected override async Task<bool> PassAsync(CancellationToken cancellationToken)
    {
        await FillAsync(cancellationToken);
        return false;
    }

    /// <summary>Orders the spares the pool is missing; returns how many were ordered.</summary>
    public async Task<int> FillAsync(CancellationToken cancellationToken)
    {
        var size = options.Value.SpareAmphoraPoolSize;
        if (size <= 0)
        {
            return 0;
        }

        if (compute.Name == NoopComputeDriver)
        {
            if (Interlocked.Exchange(ref _noopLogged, 1) == 0)
            {
                LogNoopCompute(logger, size);
            }

            return 0;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OctaviaDbContext>();
        int missing;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            if (db.IsPostgres)
            {
                await db.Database.ExecuteSqlRawAsync(FillLockSql, cancellationToken);
            }

            missing = size - await SpareAmphorae.InPool(db).CountAsync(cancellationToken);
            var now = Time.GetUtcNow().UtcDateTime;
            for (var i = 0; i < missing; i++)
            {
                var id = Guid.NewGuid().ToString();
                db.Amphorae.Add(new Amphora { Id = id, Status = AmphoraStatus.PendingCreate, CreatedAt = now });
                queue.Add(db, JobKinds.AmphoraCreateSpare, new FlowState { AmphoraId = id });
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        if (missing <= 0)
        {
            return 0;
        }

        await queue.NotifyCommittedAsync(db, cancellationToken);
        LogOrdered(logger, missing, size);
        return missing;
    }

    [LoggerMessage(EventId = LogEventIds.SpareAmphoraPoolOrdered, Level = LogLevel.Information, Message = "Spare amphora pool: ordered {Count} spare(s) to keep {Size}")]
    private static partial void LogOrdered(ILogger logger, int count, int size);

    [LoggerMessage(EventId = LogEventIds.SpareAmphoraPoolNoopCompute, Level = LogLevel.Warning,
        Message = "Spare amphora pool: spare_amphora_pool_size is {Size} but the no-op compute driver boots nothing; no spares are kept")]
    private static partial void LogNoopCompute(ILogger logger, int size);
}
