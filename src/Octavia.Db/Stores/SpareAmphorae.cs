using Microsoft.EntityFrameworkCore;
using Octavia.Core.Model;
using Octavia.Core.Statuses;

namespace Octavia.Db.Stores;

/// <summary>
/// The spare amphora pool (reference/controller.md §4): amphorae without a load balancer, booted ahead of
/// time by housekeeping and taken by the flows that need an amphora (load balancer create, failovers).
/// </summary>
public static class SpareAmphorae
{
    /// <summary>How many candidates one claim looks at before it reads the pool again.</summary>
    private const int CandidatesPerRead = 4;

    /// <summary>
    /// Spares, READY or still being built (PENDING_CREATE, BOOTING): what housekeeping counts against
    /// <c>spare_amphora_pool_size</c>, so that a build in progress is not ordered twice.
    /// </summary>
    public static IQueryable<Amphora> InPool(OctaviaDbContext db) =>
        db.Amphorae.Where(a => a.LoadBalancerId == null
            && (a.Status == AmphoraStatus.Ready || a.Status == AmphoraStatus.PendingCreate || a.Status == AmphoraStatus.Booting));

    /// <summary>
    /// Takes one READY spare for the load balancer, oldest first: it leaves the pool as BOOTING (its VIP is
    /// not plugged yet) with the load balancer and the role. Each take is one compare-and-set
    /// (<c>UPDATE … WHERE status = READY AND load_balancer_id IS NULL</c>), so two flows never get the same
    /// spare: the loser of a race updates no row and tries the next. Null when the pool has none READY.
    /// </summary>
    public static async Task<Amphora?> ClaimAsync(OctaviaDbContext db, string loadBalancerId, string? role, DateTime now, CancellationToken cancellationToken)
    {
        while (true)
        {
            var candidates = await db.Amphorae.Where(a => a.LoadBalancerId == null && a.Status == AmphoraStatus.Ready)
                .OrderBy(a => a.CreatedAt).ThenBy(a => a.Id).Select(a => a.Id).Take(CandidatesPerRead).ToListAsync(cancellationToken);
            if (candidates.Count == 0)
            {
                return null;
            }

            foreach (var id in candidates)
            {
                var taken = await db.Amphorae.Where(a => a.Id == id && a.LoadBalancerId == null && a.Status == AmphoraStatus.Ready)
                    .ExecuteUpdateAsync(s => s
                        .SetProperty(a => a.LoadBalancerId, loadBalancerId)
                        .SetProperty(a => a.Status, AmphoraStatus.Booting)
                        .SetProperty(a => a.Role, role)
                        .SetProperty(a => a.UpdatedAt, now), cancellationToken);
                if (taken == 1)
                {
                    return await db.Amphorae.AsNoTracking().FirstAsync(a => a.Id == id, cancellationToken);
                }
            }
        }
    }
}
