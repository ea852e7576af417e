using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Octavia.Core.Configuration;
using Octavia.Core.Jobs;
using Octavia.Core.Logging;
using Octavia.Core.Statuses;
using Octavia.Db;
using Octavia.Db.Jobs;

namespace Octavia.Health;

/// <summary>
/// The stale-amphora scan (reference/health.md §5): every <c>health_check_interval</c>, amphorae whose last
/// accepted heartbeat is older than <c>heartbeat_timeout</c> are failed over through the durable job queue,
/// their load balancer moved to PENDING_UPDATE in the same transaction. When <c>failover_threshold</c> or more
/// amphorae look dead at once, none is failed over: they go FAILOVER_STOPPED (a mass outage is more likely
/// the network than the amphorae), and come back to ALLOCATED once they report again.
/// </summary>
public sealed partial class StaleAmphoraScanner(
    IServiceScopeFactory scopes,
    IOptions<HealthManagerOptions> options,
    TimeProvider time,
    ILogger<StaleAmphoraScanner> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Amphorae get one full timeout to report after a (re)start before any of them counts as stale.
            await Task.Delay(TimeSpan.FromSeconds(options.Value.HeartbeatTimeout), time, stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await ScanAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogScanFailed(logger, e);
                }

                await Task.Delay(TimeSpan.FromSeconds(options.Value.HealthCheckInterval), time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One scan; returns the amphorae whose failover it started.</summary>
    public async Task<List<string>> ScanAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = time.GetUtcNow().UtcDateTime;
        var expiredBefore = now.AddSeconds(-settings.HeartbeatTimeout);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OctaviaDbContext>();

        // Stopped amphorae that report again are back in service.
        var fresh = db.AmphoraHealth.Where(h => !h.Busy && h.LastUpdate >= expiredBefore).Select(h => h.AmphoraId);
        await db.Amphorae.Where(a => a.Status == AmphoraStatus.FailoverStopped && fresh.Contains(a.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, AmphoraStatus.Allocated).SetProperty(a => a.UpdatedAt, now), cancellationToken);

        if (settings.FailoverThreshold is { } threshold && await StopIfMassOutageAsync(db, settings, threshold, now, expiredBefore, cancellationToken))
        {
            return [];
        }

        var candidates = await db.AmphoraHealth.Where(h => !h.Busy && h.LastUpdate < expiredBefore)
            .Join(db.Amphorae, h => h.AmphoraId, a => a.Id, (h, a) => new { a.Id, a.Status, a.LoadBalancerId })
            .Where(a => a.Status == AmphoraStatus.Allocated || a.Status == AmphoraStatus.FailoverStopped)
            .ToListAsync(cancellationToken);
        var started = new List<string>();
        foreach (var amphora in candidates.OrderBy(_ => Random.Shared.Next()).Take(Math.Max(1, settings.FailoverThreads)))
        {
            var outcome = await StartFailoverAsync(db, scope.ServiceProvider.GetRequiredService<JobQueue>(), amphora.Id, amphora.LoadBalancerId,
                expiredBefore, now, cancellationToken);
            if (outcome == FailoverStart.Started)
            {
                started.Add(amphora.Id);
            }
            else if (outcome == FailoverStart.LoadBalancerBusy)
            {
                break; // as upstream: the scan ends, the next one tries again
            }
        }

        return started;
    }

    private enum FailoverStart
    {
        Started,
        Taken,
        LoadBalancerBusy,
    }

    /// <summary>In one transaction: the health row busy, the load balancer PENDING_UPDATE, and the failover job.</summary>
    private async Task<FailoverStart> StartFailoverAsync(OctaviaDbContext db, JobQueue jobs, string amphoraId, string? loadBalancerId,
        DateTime expiredBefore, DateTime now, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var claimed = await db.AmphoraHealth.Where(h => h.AmphoraId == amphoraId && !h.Busy && h.LastUpdate < expiredBefore)
            .ExecuteUpdateAsync(s => s.SetProperty(h => h.Busy, true), cancellationToken);
        if (claimed == 0)
        {
            return FailoverStart.Taken; // another health manager took it, or it reported meanwhile
        }

        if (loadBalancerId is not null)
        {
            var locked = await db.LoadBalancers
                .Where(lb => lb.Id == loadBalancerId
                    && (lb.ProvisioningStatus == ProvisioningStatus.Active || lb.ProvisioningStatus == ProvisioningStatus.Error))
                .ExecuteUpdateAsync(s => s.SetProperty(lb => lb.ProvisioningStatus, ProvisioningStatus.PendingUpdate)
                    .SetProperty(lb => lb.UpdatedAt, now), cancellationToken);
            if (locked == 0)
            {
                await transaction.RollbackAsync(cancellationToken);
                LogLoadBalancerBusy(logger, amphoraId, loadBalancerId);
                return FailoverStart.LoadBalancerBusy;
            }

            jobs.Add(db, JobKinds.AmphoraFailover, new FlowState { LoadBalancerId = loadBalancerId, AmphoraId = amphoraId });
        }
        else
        {
            jobs.Add(db, JobKinds.AmphoraDelete, new FlowState { AmphoraId = amphoraId });
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await jobs.NotifyCommittedAsync(db, cancellationToken);
        LogFailoverStarted(logger, amphoraId, loadBalancerId);
        return FailoverStart.Started;
    }

    /// <summary>
    /// The circuit breaker. Counted are the expired amphorae and those already overdue by two heartbeat
    /// intervals: amphorae that died together expire a few hundred milliseconds apart, and a scan in between
    /// must not fail over the first one alone (docs/decisions.md).
    /// </summary>
    private async Task<bool> StopIfMassOutageAsync(OctaviaDbContext db, HealthManagerOptions settings, int threshold, DateTime now,
        DateTime expiredBefore, CancellationToken cancellationToken)
    {
        var overdueBefore = now.AddSeconds(-Math.Min(settings.HeartbeatTimeout, 2 * settings.HeartbeatInterval));
        var expired = await db.AmphoraHealth.CountAsync(h => !h.Busy && h.LastUpdate < expiredBefore, cancellationToken);
        if (expired == 0)
        {
            return false;
        }

        var suspects = db.AmphoraHealth.Where(h => !h.Busy && h.LastUpdate < overdueBefore).Select(h => h.AmphoraId);
        var count = await suspects.CountAsync(cancellationToken);
        if (count < threshold)
        {
            return false;
        }

        var stopped = await db.Amphorae
            .Where(a => suspects.Contains(a.Id) && a.Status != AmphoraStatus.Deleted && a.Status != AmphoraStatus.PendingDelete
                && a.Status != AmphoraStatus.FailoverStopped)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, AmphoraStatus.FailoverStopped).SetProperty(a => a.UpdatedAt, now), cancellationToken);
        if (stopped > 0)
        {
            LogCircuitBreaker(logger, count, threshold);
        }

        return true;
    }

    [LoggerMessage(EventId = LogEventIds.StaleAmphoraScannerScanFailed, Level = LogLevel.Error, Message = "The stale-amphora scan failed; trying again next interval")]
    private static partial void LogScanFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = LogEventIds.StaleAmphoraScannerLoadBalancerBusy, Level = LogLevel.Warning, Message = "Amphora {Amphora} is stale, but load balancer {LoadBalancer} is busy; trying again next interval")]
    private static partial void LogLoadBalancerBusy(ILogger logger, string amphora, string loadBalancer);

    [LoggerMessage(EventId = LogEventIds.StaleAmphoraScannerFailoverStarted, Level = LogLevel.Warning, Message = "Amphora {Amphora} is stale; failing over (load balancer {LoadBalancer})")]
    private static partial void LogFailoverStarted(ILogger logger, string amphora, string? loadBalancer);

    [LoggerMessage(EventId = LogEventIds.StaleAmphoraScannerCircuitBreaker, Level = LogLevel.Error, Message = "{Count} amphorae are stale at once (failover_threshold {Threshold}): none is failed over, all are FAILOVER_STOPPED")]
    private static partial void LogCircuitBreaker(ILogger logger, int count, int threshold);
}
