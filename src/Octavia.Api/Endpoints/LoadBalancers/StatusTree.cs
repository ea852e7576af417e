using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Octavia.Core.Model;
using Octavia.Db;

namespace Octavia.Api.Endpoints.LoadBalancers;

/// <summary>
/// <c>GET /loadbalancers/{id}/status</c>: listeners, the pools each uses (default and L7 redirect), and
/// each pool's monitor and members (reference/api.md §14.1, code shape: key <c>health_monitor</c>).
/// </summary>
public static class StatusTree
{
    public static async Task<Action<Utf8JsonWriter>> BuildAsync(OctaviaDbContext db, LoadBalancer lb, CancellationToken cancellationToken)
    {
        var listeners = await db.Listeners.Where(l => l.LoadBalancerId == lb.Id).OrderBy(l => l.CreatedAt).ThenBy(l => l.Id).ToListAsync(cancellationToken);
        var pools = await db.Pools.Where(p => p.LoadBalancerId == lb.Id).ToDictionaryAsync(p => p.Id, cancellationToken);
        var poolIds = pools.Keys.ToList();
        var monitors = await db.HealthMonitors.Where(h => poolIds.Contains(h.PoolId)).ToDictionaryAsync(h => h.PoolId, cancellationToken);
        var members = (await db.Members.Where(m => poolIds.Contains(m.PoolId)).OrderBy(m => m.CreatedAt).ThenBy(m => m.Id).ToListAsync(cancellationToken))
            .ToLookup(m => m.PoolId);
        var listenerIds = listeners.Select(l => l.Id).ToList();
        var redirects = (await db.L7Policies.Where(p => listenerIds.Contains(p.ListenerId) && p.RedirectPoolId != null)
            .OrderBy(p => p.Position).Select(p => new { p.ListenerId, p.RedirectPoolId }).ToListAsync(cancellationToken))
            .ToLookup(p => p.ListenerId, p => p.RedirectPoolId!);

        return w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("statuses");
            w.WriteStartObject("loadbalancer");
            w.WriteString("id", lb.Id);
            w.WriteString("name", lb.Name);
            w.WriteString("operating_status", lb.OperatingStatus);
            w.WriteString("provisioning_status", lb.ProvisioningStatus);
            w.WriteStartArray("listeners");
            foreach (var listener in listeners)
            {
                w.WriteStartObject();
                w.WriteString("id", listener.Id);
                w.WriteString("name", listener.Name);
                w.WriteString("operating_status", listener.OperatingStatus);
                w.WriteString("provisioning_status", listener.ProvisioningStatus);
                w.WriteStartArray("pools");
                var used = new List<string>();
                if (listener.DefaultPoolId is not null)
                {
                    used.Add(listener.DefaultPoolId);
                }

                used.AddRange(redirects[listener.Id]);
                foreach (var poolId in used.Distinct())
                {
                    if (pools.TryGetValue(poolId, out var pool))
                    {
                        WritePool(w, pool, monitors.GetValueOrDefault(pool.Id), members[pool.Id]);
                    }
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        };
    }

    private static void WritePool(Utf8JsonWriter w, Pool pool, HealthMonitor? monitor, IEnumerable<Member> members)
    {
        w.WriteStartObject();
        w.WriteString("id", pool.Id);
        w.WriteString("name", pool.Name);
        w.WriteString("provisioning_status", pool.ProvisioningStatus);
        w.WriteString("operating_status", pool.OperatingStatus);
        if (monitor is not null)
        {
            w.WriteStartObject("health_monitor");
            w.WriteString("id", monitor.Id);
            w.WriteString("name", monitor.Name);
            w.WriteString("type", monitor.Type);
            w.WriteString("provisioning_status", monitor.ProvisioningStatus);
            w.WriteString("operating_status", monitor.OperatingStatus);
            w.WriteEndObject();
        }

        w.WriteStartArray("members");
        foreach (var m in members)
        {
            w.WriteStartObject();
            w.WriteString("id", m.Id);
            w.WriteString("name", m.Name);
            w.WriteString("operating_status", m.OperatingStatus);
            w.WriteString("provisioning_status", m.ProvisioningStatus);
            w.WriteString("address", m.Address);
            w.WriteNumber("protocol_port", m.ProtocolPort);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
