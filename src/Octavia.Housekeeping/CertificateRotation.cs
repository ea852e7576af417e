using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Octavia.Core.Configuration;
using Octavia.Core.Jobs;
using Octavia.Core.Logging;
using Octavia.Core.Statuses;
using Octavia.Db;
using Octavia.Db.Jobs;

namespace Octavia.Housekeeping;

/// <summary>What one rotation pass did: rotations started, and due amphorae left for a later pass.</summary>
public sealed record RotationPass(int Started, int Left);

/// <summary>
/// Amphora certificate rotation (reference/controller.md §3.12, §5), every <c>[house_keeping] cert_interval</c>:
/// every amphora that is not DELETED or PENDING_DELETE, not already rotating (<c>cert_busy</c>) and whose
/// certificate expires within <c>cert_expiry_buffer</c> gets <c>cert_busy = true</c> and an
/// <c>amphora.cert_rotate</c> job in the same transaction; the worker's flow does the rest. At most
/// <c>cert_rotate_threads</c> rotations run at once (upstream's thread pool); while more are due the next pass
/// comes within a second, so one interval still rotates them all.
/// </summary>
public sealed partial class CertificateRotation(
    IServiceScopeFactory scopes,
    JobQueue queue,
    IOptions<HouseKeepingOptions> options,
    TimeProvider time,
    ILogger<CertificateRotation> logger) : HousekeepingLoop(time, logger)
{
    protected override string Job => "certificate rotation";

    protected override TimeSpan Interval => Seconds(options.Value.CertInterval);

    protected override async Task<bool> PassAsync(CancellationToken cancellationToken) => (await StartRotationsAsync(cancellationToken)).Left > 0;

    /// <summary>One pass: starts the rotations that are due, as many as there is room for.</summary>
    public async Task<RotationPass> StartRotationsAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var due = Time.GetUtcNow().UtcDateTime + TimeSpan.FromSeconds(settings.CertExpiryBuffer);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OctaviaDbContext>();
        var running = await db.Amphorae.CountAsync(a => a.CertBusy && a.Status != AmphoraStatus.Deleted, cancellationToken);
        var room = Math.Max(0, Math.Max(1, settings.CertRotateThreads) - running);
        var candidates = await db.Amphorae
            .Where(a => a.Status != AmphoraStatus.Deleted && a.Status != AmphoraStatus.PendingDelete && !a.CertBusy && a.CertExpiration < due)
            .OrderBy(a => a.CertExpiration).Select(a => a.Id).Take(room + 1).ToListAsync(cancellationToken);

        var started = new List<string>();
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            foreach (var id in candidates.Take(room))
            {
                // Compare-and-set: another housekeeping process may have taken it since the list was read.
                if (await db.Amphorae.Where(a => a.Id == id && !a.CertBusy).ExecuteUpdateAsync(s => s.SetProperty(a => a.CertBusy, true), cancellationToken) == 1)
                {
                    queue.Add(db, JobKinds.AmphoraCertRotate, new FlowState { AmphoraId = id });
                    started.Add(id);
                }
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        if (started.Count > 0)
        {
            await queue.NotifyCommittedAsync(db, cancellationToken);
            foreach (var id in started)
            {
                LogRotationStarted(logger, id);
            }
        }

        return new RotationPass(started.Count, Math.Max(0, candidates.Count - room));
    }

    [LoggerMessage(EventId = LogEventIds.CertificateRotationRotationStarted, Level = LogLevel.Information, Message = "Certificate rotation: rotating the certificate of amphora {Amphora}")]
    private static partial void LogRotationStarted(ILogger logger, string amphora);
}
