using System.Text.Json;

namespace Octavia.Amphora.Health;

/// <summary>
/// The JSON body of a version-3 heartbeat (reference/health.md §3.2) from HAProxy's <c>show stat</c> rows:
/// <c>listeners</c> from FRONTEND rows (a frontend is named by its listener id), <c>pools</c> from each
/// backend (named <c>&lt;pool_id&gt;:&lt;listener_id&gt;</c>) with its servers (named by member id). Listener
/// stats are deltas since the last heartbeat except <c>conns</c>, the sessions open now.
/// </summary>
internal static class HeartbeatMessage
{
    public const int Version = 3;

    /// <summary>
    /// Writes the message for <paramref name="rows"/> (every running load balancer's rows, each one's together)
    /// and puts the absolute counters of every reported listener into <paramref name="current"/>.
    /// </summary>
    public static void Write(Utf8JsonWriter json, string amphoraId, long seq, IReadOnlyList<HaproxyStatRow> rows,
        IReadOnlyDictionary<string, ListenerCounters> previous, IDictionary<string, ListenerCounters> current)
    {
        json.WriteStartObject();
        json.WriteString("id", amphoraId);
        json.WriteNumber("seq", seq);
        json.WriteNumber("ver", Version);

        json.WriteStartObject("listeners");
        foreach (var row in rows)
        {
            if (row.Type != HaproxyStatType.Frontend || IsExcluded(row.ProxyName))
            {
                continue;
            }

            var now = new ListenerCounters(row.BytesIn, row.BytesOut, row.RequestErrors, row.SessionsTotal);
            var last = previous.GetValueOrDefault(row.ProxyName);
            current[row.ProxyName] = now;
            json.WriteStartObject(row.ProxyName);
            json.WriteString("status", ListenerStatus(row));
            json.WriteStartObject("stats");
            json.WriteNumber("tx", ListenerCounters.Delta(now.BytesOut, last.BytesOut));
            json.WriteNumber("rx", ListenerCounters.Delta(now.BytesIn, last.BytesIn));
            json.WriteNumber("conns", row.SessionsCurrent);
            json.WriteNumber("totconns", ListenerCounters.Delta(now.SessionsTotal, last.SessionsTotal));
            json.WriteNumber("ereq", ListenerCounters.Delta(now.RequestErrors, last.RequestErrors));
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndObject();

        // HAProxy lists a backend's servers, then its BACKEND row: the rows of one backend are together.
        json.WriteStartObject("pools");
        for (var first = 0; first < rows.Count;)
        {
            var proxy = rows[first].ProxyName;
            var end = first;
            while (end < rows.Count && rows[end].ProxyName == proxy)
            {
                end++;
            }

            if (!IsExcluded(proxy))
            {
                WritePool(json, rows, first, end);
            }

            first = end;
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>The pool of rows [first, end) of one proxy, when that proxy is a backend.</summary>
    private static void WritePool(Utf8JsonWriter json, IReadOnlyList<HaproxyStatRow> rows, int first, int end)
    {
        string? status = null;
        for (var i = first; i < end; i++)
        {
            if (rows[i].Type == HaproxyStatType.Backend)
            {
                // HAProxy says UP while a server can take traffic, or when there is no server at all.
                status = rows[i].Status == "UP" ? "UP" : "DOWN";
            }
        }

        if (status is null)
        {
            return;
        }

        json.WriteStartObject(rows[first].ProxyName);
        json.WriteString("status", status);
        json.WriteStartObject("members");
        for (var i = first; i < end; i++)
        {
            if (rows[i].Type == HaproxyStatType.Server)
            {
                // As HAProxy says it: "UP", "DOWN", "MAINT", "DRAIN", "no check", "UP 1/3", ...; the receiver maps them.
                json.WriteString(rows[i].ServiceName, rows[i].Status);
            }
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>
    /// OPEN or FULL. HAProxy 2.6 no longer shows FULL for a frontend (only its listening sockets get full), so a
    /// frontend whose open sessions reached its limit is FULL here; any other state (STOP, PAUSED) goes as is.
    /// </summary>
    private static string ListenerStatus(HaproxyStatRow frontend) =>
        frontend.Status == "FULL" || (frontend.SessionsLimit > 0 && frontend.SessionsCurrent >= frontend.SessionsLimit) ? "FULL" : frontend.Status;

    /// <summary>The Prometheus exporter's proxies are not listeners of any load balancer.</summary>
    private static bool IsExcluded(string proxy) => proxy.Contains("prometheus", StringComparison.Ordinal);
}
