using Octavia.Core.Statuses;

namespace Octavia.Health;

/// <summary>A load balancer's statuses as stored, as much of them as a heartbeat can change.</summary>
public sealed record LoadBalancerSnapshot(string Id, bool Enabled, string ProvisioningStatus, string OperatingStatus)
{
    public List<ListenerSnapshot> Listeners { get; } = [];
    public List<PoolSnapshot> Pools { get; } = [];
}

public sealed record ListenerSnapshot(string Id, bool Enabled, string OperatingStatus);

public sealed record PoolSnapshot(string Id, string OperatingStatus)
{
    public List<MemberSnapshot> Members { get; } = [];
}

public sealed record MemberSnapshot(string Id, string OperatingStatus);

/// <summary>Operating statuses to write, by object id; only values that differ from the stored ones are kept.</summary>
public sealed class StatusChanges
{
    public Dictionary<string, string> LoadBalancers { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> Listeners { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> Pools { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> Members { get; } = new(StringComparer.Ordinal);

    public int Count => LoadBalancers.Count + Listeners.Count + Pools.Count + Members.Count;

    public void Clear()
    {
        LoadBalancers.Clear();
        Listeners.Clear();
        Pools.Clear();
        Members.Clear();
    }
}

/// <summary>
/// Upstream's mapping from a heartbeat to operating statuses (reference/health.md §4.3): listeners from the
/// frontend status, pools from the backend status, members from each server's check state, and the load
/// balancer from the worst of them. Provisioning statuses are never touched.
/// </summary>
public static class StatusEvaluator
{
    /// <summary>Whether the heartbeat reports the listeners the load balancer should have (§4.2 step 3-4).</summary>
    public static bool ListenerCountMatches(LoadBalancerSnapshot lb, Heartbeat heartbeat) =>
        lb.ProvisioningStatus.Contains("PENDING", StringComparison.Ordinal) || !lb.Enabled
        || heartbeat.Listeners.Count == lb.Listeners.Count(l => l.Enabled);

    public static void Evaluate(LoadBalancerSnapshot lb, Heartbeat heartbeat, StatusChanges changes)
    {
        var lbStatus = lb.Enabled ? OperatingStatus.Online : OperatingStatus.Offline;

        foreach (var listener in lb.Listeners)
        {
            string? status;
            if (!heartbeat.Listeners.TryGetValue(listener.Id, out var report))
            {
                status = listener.Enabled && lb.ProvisioningStatus == ProvisioningStatus.Active ? OperatingStatus.Error : OperatingStatus.Offline;
            }
            else
            {
                status = report.Status switch
                {
                    "OPEN" => OperatingStatus.Online,
                    "FULL" => OperatingStatus.Degraded,
                    _ => null,
                };
                if (status == OperatingStatus.Degraded && lbStatus == OperatingStatus.Online)
                {
                    lbStatus = OperatingStatus.Degraded;
                }
            }

            Record(changes.Listeners, listener.Id, listener.OperatingStatus, status);
        }

        // Keys are "<pool>:<listener>" (or just "<pool>"); a pool behind two listeners is reported twice.
        var reported = new Dictionary<string, PoolReport>(StringComparer.Ordinal);
        foreach (var (key, report) in heartbeat.Pools)
        {
            var colon = key.LastIndexOf(':');
            reported.TryAdd(colon < 0 ? key : key[..colon], report);
        }

        foreach (var pool in lb.Pools)
        {
            if (!reported.TryGetValue(pool.Id, out var report))
            {
                Record(changes.Pools, pool.Id, pool.OperatingStatus, OperatingStatus.Offline);
                continue;
            }

            var poolStatus = report.Status switch
            {
                "UP" => OperatingStatus.Online,
                "DOWN" => OperatingStatus.Error,
                _ => null,
            };
            if (poolStatus == OperatingStatus.Error)
            {
                lbStatus = OperatingStatus.Error;
            }

            foreach (var member in pool.Members)
            {
                string? status;
                if (!report.Members.TryGetValue(member.Id, out var state))
                {
                    status = member.OperatingStatus == OperatingStatus.NoMonitor ? null : OperatingStatus.Offline;
                }
                else if (state.StartsWith("UP", StringComparison.Ordinal))
                {
                    status = OperatingStatus.Online;
                }
                else if (state.StartsWith("DOWN", StringComparison.Ordinal))
                {
                    status = OperatingStatus.Error;
                    if (poolStatus == OperatingStatus.Online)
                    {
                        poolStatus = OperatingStatus.Degraded;
                    }

                    if (lbStatus == OperatingStatus.Online)
                    {
                        lbStatus = OperatingStatus.Degraded;
                    }
                }
                else
                {
                    // HAProxy may qualify a state ("MAINT (via)", "DRAIN (agent)"): the leading word decides.
                    status = state == "no check" ? OperatingStatus.NoMonitor : state.Split(' ')[0] switch
                    {
                        "DRAIN" => OperatingStatus.Draining,
                        "MAINT" => OperatingStatus.Offline,
                        _ => null, // RESTARTING, or a state this version does not know: left as it is
                    };
                }

                Record(changes.Members, member.Id, member.OperatingStatus, status);
            }

            Record(changes.Pools, pool.Id, pool.OperatingStatus, poolStatus);
        }

        Record(changes.LoadBalancers, lb.Id, lb.OperatingStatus, lbStatus);
    }

    private static void Record(Dictionary<string, string> changes, string id, string stored, string? status)
    {
        if (status is null)
        {
            return;
        }

        if (string.Equals(stored, status, StringComparison.OrdinalIgnoreCase))
        {
            // An earlier heartbeat of this batch may have asked for something else (two amphorae of one load balancer).
            changes.Remove(id);
            return;
        }

        changes[id] = status;
    }
}
