namespace Octavia.Amphora.Health;

/// <summary>HAProxy's absolute counters of one listener (its frontend) when the last heartbeat was built.</summary>
internal readonly record struct ListenerCounters(long BytesIn, long BytesOut, long RequestErrors, long SessionsTotal)
{
    /// <summary>
    /// What went by since <paramref name="last"/> (reference/health.md §3.3). A counter below its last value
    /// means HAProxy restarted and counted from zero since: then all it counted is new.
    /// </summary>
    public static long Delta(long current, long last) => current >= last ? current - last : current;
}
