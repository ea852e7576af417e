using System.Text;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Octavia.Core.Configuration;
using Octavia.Core.Drivers;
using Octavia.Core.Statuses;
using Octavia.Db;

namespace Octavia.Health;

/// <summary>
/// Writes verified heartbeats to the database in batches (reference/health.md §4, §7): whatever arrived
/// while the previous batch was being written goes in the next one, in one transaction with a handful of
/// statements, however many amphorae it covers. Per amphora only its newest heartbeat sets health and
/// statuses; counters of every heartbeat are added up (version 3 sends deltas).
/// </summary>
public sealed partial class HeartbeatProcessor(
    IServiceScopeFactory scopes,
    IOptions<HealthManagerOptions> options,
    HeartbeatMetrics metrics,
    TimeProvider time,
    ILogger<HeartbeatProcessor> logger)
{
    /// <summary>Heartbeats waiting to be written; when full, new ones are dropped and counted as Overloaded.</summary>
    public const int QueueCapacity = 100_000;

    /// <summary>Most heartbeats one transaction takes.</summary>
    public const int MaxBatch = 5_000;

    /// <summary>Rows per multi-row INSERT (parameters stay well below SQLite's and PostgreSQL's limits).</summary>
    private const int RowsPerStatement = 500;

    private readonly Channel<Heartbeat> _queue = Channel.CreateBounded<Heartbeat>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly Dictionary<string, DateTime> _zombieDeletes = new(StringComparer.Ordinal);

    /// <summary>Queues a heartbeat; false when the queue is full.</summary>
    public bool Post(Heartbeat heartbeat) => _queue.Writer.TryWrite(heartbeat);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var batch = new List<Heartbeat>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync(cancellationToken))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var heartbeat))
            {
                batch.Add(heartbeat);
            }

            try
            {
                await ProcessAsync(batch, cancellationToken);
                metrics.CountBatch(batch.Count);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                metrics.CountFailedBatch(batch.Count);
                LogBatchFailed(logger, e, batch.Count);
            }
        }
    }

    /// <summary>Applies one batch of heartbeats in one transaction.</summary>
    public async Task ProcessAsync(IReadOnlyList<Heartbeat> batch, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = time.GetUtcNow().UtcDateTime;
        var byAmphora = new Dictionary<string, List<Heartbeat>>(StringComparer.Ordinal);
        foreach (var heartbeat in batch)
        {
            if (!byAmphora.TryGetValue(heartbeat.AmphoraId, out var list))
            {
                byAmphora[heartbeat.AmphoraId] = list = [];
            }

            list.Add(heartbeat);
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OctaviaDbContext>();
        var amphoraIds = byAmphora.Keys.ToList();
        var amphorae = await db.Amphorae.AsNoTracking().Where(a => amphoraIds.Contains(a.Id))
            .Select(a => new { a.Id, a.Status, a.LoadBalancerId, a.ComputeId }).ToListAsync(cancellationToken);
        var lbIds = amphorae.Where(a => a.LoadBalancerId != null).Select(a => a.LoadBalancerId!).Distinct().ToList();
        var lbs = await LoadGraphsAsync(db, lbIds, cancellationToken);

        var healthy = new List<Heartbeat>();
        var changes = new StatusChanges();
        var counters = new Dictionary<(string Listener, string Amphora), Counters>();
        foreach (var amphora in amphorae)
        {
            var heartbeats = byAmphora[amphora.Id];
            var heartbeat = heartbeats.MaxBy(h => h.Seq)!;
            LoadBalancerSnapshot? lb = null;
            if (amphora.Status == AmphoraStatus.Deleted
                || (amphora.LoadBalancerId is not null && !lbs.TryGetValue(amphora.LoadBalancerId, out lb)))
            {
                // Deleted, or its load balancer is: a zombie still running somewhere (§4.2 step 2).
                DeleteZombie(scope.ServiceProvider, amphora.Id, amphora.ComputeId, now);
                continue;
            }

            if (lb is not null)
            {
                AddCounters(counters, lb, amphora.Id, heartbeats);
                if (!StatusEvaluator.ListenerCountMatches(lb, heartbeat))
                {
                    LogListenerCountMismatch(logger, amphora.Id, heartbeat.Listeners.Count);
                    continue;
                }
            }

            if ((now - heartbeat.ReceivedAt).TotalSeconds >= settings.HeartbeatInterval)
            {
                LogTooOld(logger, amphora.Id, (now - heartbeat.ReceivedAt).TotalSeconds);
                continue;
            }

            if (amphora.Status != AmphoraStatus.PendingDelete)
            {
                healthy.Add(heartbeat);
            }

            if (lb is not null)
            {
                StatusEvaluator.Evaluate(lb, heartbeat, changes);
            }
        }

        if (healthy.Count == 0 && counters.Count == 0 && changes.Count == 0)
        {
            return;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await UpsertHealthAsync(db, healthy, now, cancellationToken);
        await UpsertCountersAsync(db, counters, cancellationToken);
        await WriteStatusesAsync(db, changes, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The load balancers (not DELETED) with their listeners, pools and members: four queries for the whole batch.</summary>
    private static async Task<Dictionary<string, LoadBalancerSnapshot>> LoadGraphsAsync(OctaviaDbContext db, List<string> lbIds,
        CancellationToken cancellationToken)
    {
        var lbs = (await db.LoadBalancers.AsNoTracking()
                .Where(lb => lbIds.Contains(lb.Id) && lb.ProvisioningStatus != ProvisioningStatus.Deleted)
                .Select(lb => new { lb.Id, lb.Enabled, lb.ProvisioningStatus, lb.OperatingStatus }).ToListAsync(cancellationToken))
            .ToDictionary(lb => lb.Id, lb => new LoadBalancerSnapshot(lb.Id, lb.Enabled, lb.ProvisioningStatus, lb.OperatingStatus), StringComparer.Ordinal);
        if (lbs.Count == 0)
        {
            return lbs;
        }

        var ids = lbs.Keys.ToList();
        foreach (var l in await db.Listeners.AsNoTracking().Where(l => ids.Contains(l.LoadBalancerId))
            .Select(l => new { l.Id, l.LoadBalancerId, l.Enabled, l.OperatingStatus }).ToListAsync(cancellationToken))
        {
            lbs[l.LoadBalancerId].Listeners.Add(new ListenerSnapshot(l.Id, l.Enabled, l.OperatingStatus));
        }

        var pools = new Dictionary<string, PoolSnapshot>(StringComparer.Ordinal);
        foreach (var p in await db.Pools.AsNoTracking().Where(p => ids.Contains(p.LoadBalancerId))
            .Select(p => new { p.Id, p.LoadBalancerId, p.OperatingStatus }).ToListAsync(cancellationToken))
        {
            var pool = new PoolSnapshot(p.Id, p.OperatingStatus);
            pools[p.Id] = pool;
            lbs[p.LoadBalancerId].Pools.Add(pool);
        }

        foreach (var m in await db.Members.AsNoTracking().Where(m => ids.Contains(m.Pool!.LoadBalancerId))
            .Select(m => new { m.Id, m.PoolId, m.OperatingStatus }).ToListAsync(cancellationToken))
        {
            pools[m.PoolId].Members.Add(new MemberSnapshot(m.Id, m.OperatingStatus));
        }

        return lbs;
    }

    private sealed class Counters
    {
        public long BytesIn, BytesOut, ActiveConnections, TotalConnections, RequestErrors;
        public long Seq = -1;
        public bool Deltas;
    }

    /// <summary>
    /// The counters of every heartbeat of this amphora in the batch, for listeners its load balancer has:
    /// deltas add up, absolute values (versions 1-2) and current connections take the newest report.
    /// </summary>
    private static void AddCounters(Dictionary<(string, string), Counters> counters, LoadBalancerSnapshot lb, string amphoraId,
        List<Heartbeat> heartbeats)
    {
        foreach (var heartbeat in heartbeats)
        {
            foreach (var (listenerId, report) in heartbeat.Listeners)
            {
                if (!lb.Listeners.Exists(l => l.Id == listenerId))
                {
                    continue;
                }

                if (!counters.TryGetValue((listenerId, amphoraId), out var c))
                {
                    counters[(listenerId, amphoraId)] = c = new Counters { Deltas = heartbeat.CountersAreDeltas };
                }

                var newer = heartbeat.Seq > c.Seq;
                if (heartbeat.CountersAreDeltas)
                {
                    c.BytesIn += report.BytesIn;
                    c.BytesOut += report.BytesOut;
                    c.TotalConnections += report.TotalConnections;
                    c.RequestErrors += report.RequestErrors;
                }
                else if (newer)
                {
                    (c.BytesIn, c.BytesOut, c.TotalConnections, c.RequestErrors) = (report.BytesIn, report.BytesOut, report.TotalConnections, report.RequestErrors);
                }

                if (newer)
                {
                    c.ActiveConnections = report.ActiveConnections;
                    c.Seq = heartbeat.Seq;
                    c.Deltas = heartbeat.CountersAreDeltas;
                }
            }
        }
    }

    private static async Task UpsertHealthAsync(OctaviaDbContext db, List<Heartbeat> healthy, DateTime now, CancellationToken cancellationToken)
    {
        foreach (var chunk in healthy.Chunk(RowsPerStatement))
        {
            await InsertRowsAsync(db, "INSERT INTO amphora_health (amphora_id, last_update, busy, seq)",
                chunk.Select(h => new object[] { h.AmphoraId, now, false, h.Seq }),
                "ON CONFLICT (amphora_id) DO UPDATE SET last_update = excluded.last_update, seq = excluded.seq", cancellationToken);
        }
    }

    private static async Task UpsertCountersAsync(OctaviaDbContext db, Dictionary<(string Listener, string Amphora), Counters> counters,
        CancellationToken cancellationToken)
    {
        foreach (var deltas in new[] { true, false })
        {
            foreach (var chunk in counters.Where(c => c.Value.Deltas == deltas).Chunk(RowsPerStatement))
            {
                await InsertRowsAsync(db,
                    "INSERT INTO listener_statistics (listener_id, amphora_id, bytes_in, bytes_out, active_connections, total_connections, request_errors)",
                    chunk.Select(x => new object[]
                    {
                        x.Key.Listener, x.Key.Amphora, x.Value.BytesIn, x.Value.BytesOut, x.Value.ActiveConnections, x.Value.TotalConnections,
                        x.Value.RequestErrors,
                    }),
                    deltas
                        ? "ON CONFLICT (listener_id, amphora_id) DO UPDATE SET bytes_in = listener_statistics.bytes_in + excluded.bytes_in, "
                            + "bytes_out = listener_statistics.bytes_out + excluded.bytes_out, active_connections = excluded.active_connections, "
                            + "total_connections = listener_statistics.total_connections + excluded.total_connections, "
                            + "request_errors = listener_statistics.request_errors + excluded.request_errors"
                        : "ON CONFLICT (listener_id, amphora_id) DO UPDATE SET bytes_in = excluded.bytes_in, bytes_out = excluded.bytes_out, "
                            + "active_connections = excluded.active_connections, total_connections = excluded.total_connections, "
                            + "request_errors = excluded.request_errors",
                    cancellationToken);
            }
        }
    }

    /// <summary>One multi-row <c>INSERT ... VALUES (...), (...) ON CONFLICT ...</c>; both SQLite and PostgreSQL take this form.</summary>
    private static Task<int> InsertRowsAsync(OctaviaDbContext db, string head, IEnumerable<object[]> rows, string onConflict,
        CancellationToken cancellationToken)
    {
        var sql = new StringBuilder(head).Append(" VALUES ");
        var parameters = new List<object>();
        foreach (var row in rows)
        {
            sql.Append(parameters.Count == 0 ? "(" : ", (");
            for (var i = 0; i < row.Length; i++)
            {
                sql.Append(i == 0 ? "{" : ", {").Append(parameters.Count).Append('}');
                parameters.Add(row[i]);
            }

            sql.Append(')');
        }

        return db.Database.ExecuteSqlRawAsync(sql.Append(' ').Append(onConflict).ToString(), parameters, cancellationToken);
    }

    private static async Task WriteStatusesAsync(OctaviaDbContext db, StatusChanges changes, CancellationToken cancellationToken)
    {
        foreach (var group in changes.Members.GroupBy(c => c.Value))
        {
            var ids = group.Select(c => c.Key).ToList();
            await db.Members.Where(x => ids.Contains(x.Id)).ExecuteUpdateAsync(s => s.SetProperty(x => x.OperatingStatus, group.Key), cancellationToken);
        }

        foreach (var group in changes.Pools.GroupBy(c => c.Value))
        {
            var ids = group.Select(c => c.Key).ToList();
            await db.Pools.Where(x => ids.Contains(x.Id)).ExecuteUpdateAsync(s => s.SetProperty(x => x.OperatingStatus, group.Key), cancellationToken);
        }

        foreach (var group in changes.Listeners.GroupBy(c => c.Value))
        {
            var ids = group.Select(c => c.Key).ToList();
            await db.Listeners.Where(x => ids.Contains(x.Id)).ExecuteUpdateAsync(s => s.SetProperty(x => x.OperatingStatus, group.Key), cancellationToken);
        }

        foreach (var group in changes.LoadBalancers.GroupBy(c => c.Value))
        {
            var ids = group.Select(c => c.Key).ToList();
            await db.LoadBalancers.Where(x => ids.Contains(x.Id)).ExecuteUpdateAsync(s => s.SetProperty(x => x.OperatingStatus, group.Key), cancellationToken);
        }
    }

    /// <summary>Removes the compute instance of an amphora that should not exist any more, at most once a minute per amphora.</summary>
    private void DeleteZombie(IServiceProvider services, string amphoraId, string? computeId, DateTime now)
    {
        if (computeId is null || (_zombieDeletes.TryGetValue(amphoraId, out var last) && (now - last).TotalSeconds < 60))
        {
            return;
        }

        _zombieDeletes[amphoraId] = now;
        if (_zombieDeletes.Count > 10_000)
        {
            _zombieDeletes.Clear();
        }

        var compute = services.GetRequiredService<IComputeDriver>();
        LogZombie(logger, amphoraId, computeId);
        _ = Task.Run(async () =>
        {
            try
            {
                await compute.DeleteAsync(computeId, CancellationToken.None);
            }
            catch (Exception e)
            {
                LogZombieDeleteFailed(logger, e, amphoraId);
            }
        });
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Error, Message = "A batch of {Count} heartbeats could not be written; they are dropped")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Amphora {Amphora} reported {Count} listeners, not the number its load balancer has; its health is not refreshed")]
    private static partial void LogListenerCountMismatch(ILogger logger, string amphora, int count);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "Heartbeat of amphora {Amphora} is {Age:F1} s old; its health is not refreshed")]
    private static partial void LogTooOld(ILogger logger, string amphora, double age);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Warning, Message = "Amphora {Amphora} sends heartbeats but is deleted or has no load balancer; deleting its compute instance {Compute}")]
    private static partial void LogZombie(ILogger logger, string amphora, string compute);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Warning, Message = "Deleting the compute instance of zombie amphora {Amphora} failed")]
    private static partial void LogZombieDeleteFailed(ILogger logger, Exception exception, string amphora);
}
