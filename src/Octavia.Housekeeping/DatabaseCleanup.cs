using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Octavia.Core.Configuration;
using Octavia.Core.Drivers;
using Octavia.Core.Jobs;
using Octavia.Core.Logging;
using Octavia.Core.Statuses;
using Octavia.Db;

namespace Octavia.Housekeeping;

/// <summary>What one cleanup pass removed.</summary>
public sealed record CleanupResult(int Amphorae, int LoadBalancers, int Statistics, int Ports, int Jobs = 0);

/// <summary>
/// Purges rows kept after their objects were deleted (reference/controller.md §5), every
/// <c>[house_keeping] cleanup_interval</c>: DELETED amphorae older than <c>amphora_expiry_age</c> (only when
/// their health row is absent or as old: an amphora that still heartbeats is a zombie, and its rows are how
/// it is recognised) with their health rows; DELETED load balancers older than <c>load_balancer_expiry_age</c>
/// (their child rows cascade); ports either still holds (a delete that could not release them); and
/// listener statistics whose listener is gone; and finished jobs (DONE or FAILED) older than <c>job_expiry_age</c>.
/// </summary>
public sealed partial class DatabaseCleanup(
    IServiceScopeFactory scopes,
    INetworkDriver network,
    IOptions<HouseKeepingOptions> options,
    TimeProvider time,
    ILogger<DatabaseCleanup> logger) : HousekeepingLoop(time, logger)
{
    protected override string Job => "database cleanup";

    protected override TimeSpan Interval => Seconds(options.Value.CleanupInterval);

    protected override async Task<bool> PassAsync(CancellationToken cancellationToken)
    {
        await PurgeAsync(cancellationToken);
        return false;
    }

    /// <summary>One cleanup pass.</summary>
    public async Task<CleanupResult> PurgeAsync(CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow().UtcDateTime;
        var amphoraCutoff = now - TimeSpan.FromSeconds(options.Value.AmphoraExpiryAge);
        var loadBalancerCutoff = now - TimeSpan.FromSeconds(options.Value.LoadBalancerExpiryAge);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OctaviaDbContext>();

        var amphorae = 0;
        var ports = 0;
        foreach (var id in await ExpiredAmphorae(db, amphoraCutoff).Select(a => a.Id).ToListAsync(cancellationToken))
        {
            ports += await RemovePortsAsync(db, id, cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // Asked again in the transaction: a heartbeat may have arrived since the list was read.
            if (await ExpiredAmphorae(db, amphoraCutoff).Where(a => a.Id == id).ExecuteDeleteAsync(cancellationToken) == 1)
            {
                await db.AmphoraHealth.Where(h => h.AmphoraId == id).ExecuteDeleteAsync(cancellationToken);
                amphorae++;
                LogAmphoraPurged(logger, id);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        var loadBalancers = 0;
        foreach (var id in await ExpiredLoadBalancers(db, loadBalancerCutoff).Select(lb => lb.Id).ToListAsync(cancellationToken))
        {
            ports += await RemovePortsAsync(db, id, cancellationToken);
            if (await ExpiredLoadBalancers(db, loadBalancerCutoff).Where(lb => lb.Id == id).ExecuteDeleteAsync(cancellationToken) == 1)
            {
                loadBalancers++;
                LogLoadBalancerPurged(logger, id);
            }
        }

        var statistics = await db.ListenerStatistics.Where(s => !db.Listeners.Any(l => l.Id == s.ListenerId)).ExecuteDeleteAsync(cancellationToken);

        // A finished job is never claimed again; PENDING and RUNNING ones are work still to do and stay.
        var jobCutoff = now - TimeSpan.FromSeconds(options.Value.JobExpiryAge);
        var jobs = await db.Jobs
            .Where(j => (j.Status == JobStatus.Done || j.Status == JobStatus.Failed) && (j.UpdatedAt ?? j.CreatedAt) < jobCutoff)
            .ExecuteDeleteAsync(cancellationToken);
        if (jobs > 0)
        {
            LogJobsPurged(logger, jobs);
        }

        return new CleanupResult(amphorae, loadBalancers, statistics, ports, jobs);
    }

    private static IQueryable<Core.Model.Amphora> ExpiredAmphorae(OctaviaDbContext db, DateTime cutoff) =>
        db.Amphorae.Where(a => a.Status == AmphoraStatus.Deleted && (a.UpdatedAt ?? a.CreatedAt) < cutoff
            && !db.AmphoraHealth.Any(h => h.AmphoraId == a.Id && h.LastUpdate >= cutoff));

    private static IQueryable<Core.Model.LoadBalancer> ExpiredLoadBalancers(OctaviaDbContext db, DateTime cutoff) =>
        db.LoadBalancers.Where(lb => lb.ProvisioningStatus == ProvisioningStatus.Deleted && (lb.UpdatedAt ?? lb.CreatedAt) < cutoff);

    /// <summary>
    /// The ports a purged amphora or load balancer still holds (normally none: its delete released them):
    /// through the network driver, which also removes their links, then whatever rows are left.
    /// </summary>
    private async Task<int> RemovePortsAsync(OctaviaDbContext db, string deviceId, CancellationToken cancellationToken)
    {
        var removed = 0;
        foreach (var port in await network.PortsOfAsync(deviceId, cancellationToken))
        {
            await network.UnplugAsync(port.PortId, cancellationToken);
            removed++;
        }

        return removed + await db.Ports.Where(p => p.DeviceId == deviceId).ExecuteDeleteAsync(cancellationToken);
    }

    [LoggerMessage(EventId = LogEventIds.DatabaseCleanupAmphoraPurged, Level = LogLevel.Information, Message = "Database cleanup: purged deleted amphora {Amphora}")]
    private static partial void LogAmphoraPurged(ILogger logger, string amphora);

    [LoggerMessage(EventId = LogEventIds.DatabaseCleanupLoadBalancerPurged, Level = LogLevel.Information, Message = "Database cleanup: purged deleted load balancer {LoadBalancerId}")]
    private static partial void LogLoadBalancerPurged(ILogger logger, string loadBalancerId);

    [LoggerMessage(EventId = LogEventIds.DatabaseCleanupJobsPurged, Level = LogLevel.Information, Message = "Database cleanup: purged {Count} finished jobs")]
    private static partial void LogJobsPurged(ILogger logger, int count);
}
