using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Octavia.Core.Statuses;
using Octavia.Db;

namespace Octavia.Api.Endpoints.LoadBalancers;

/// <summary>Listener and load balancer statistics (reference/api.md §14.2).</summary>
public static class Statistics
{
    public sealed record Totals(long BytesIn, long BytesOut, long ActiveConnections, long TotalConnections, long RequestErrors);

    /// <summary>
    /// Sums every amphora's row of the given listeners; active connections count only from amphorae that
    /// serve traffic (ALLOCATED), or from rows a provider wrote for the listener itself.
    /// </summary>
    public static async Task<Totals> SumAsync(OctaviaDbContext db, IReadOnlyCollection<string> listenerIds, CancellationToken cancellationToken)
    {
        if (listenerIds.Count == 0)
        {
            return new Totals(0, 0, 0, 0, 0);
        }

        var rows = await db.ListenerStatistics.Where(s => listenerIds.Contains(s.ListenerId)).ToListAsync(cancellationToken);
        var amphoraIds = rows.Select(r => r.AmphoraId).Distinct().ToList();
        var allocated = (await db.Amphorae.Where(a => amphoraIds.Contains(a.Id) && a.Status == AmphoraStatus.Allocated)
            .Select(a => a.Id).ToListAsync(cancellationToken)).ToHashSet();
        return new Totals(
            rows.Sum(r => r.BytesIn),
            rows.Sum(r => r.BytesOut),
            rows.Where(r => allocated.Contains(r.AmphoraId) || r.AmphoraId == r.ListenerId).Sum(r => r.ActiveConnections),
            rows.Sum(r => r.TotalConnections),
            rows.Sum(r => r.RequestErrors));
    }

    public static void Write(Utf8JsonWriter w, Totals t)
    {
        w.WriteStartObject();
        w.WriteNumber("bytes_in", t.BytesIn);
        w.WriteNumber("bytes_out", t.BytesOut);
        w.WriteNumber("active_connections", t.ActiveConnections);
        w.WriteNumber("total_connections", t.TotalConnections);
        w.WriteNumber("request_errors", t.RequestErrors);
        w.WriteEndObject();
    }
}
