using System.Text.Json;

namespace Octavia.Health;

/// <summary>One listener's part of a heartbeat: its HAProxy frontend status and counters.</summary>
public sealed record ListenerReport(string Status, long BytesOut, long BytesIn, long ActiveConnections, long TotalConnections, long RequestErrors);

/// <summary>One pool's part of a heartbeat: the backend status and every server's HAProxy status string.</summary>
public sealed record PoolReport(string Status, IReadOnlyDictionary<string, string> Members);

/// <summary>A verified heartbeat (reference/health.md §3.2), read from any of the three message versions.</summary>
public sealed class Heartbeat
{
    public required string AmphoraId { get; init; }
    public required long Seq { get; init; }

    /// <summary>1 when the message has no <c>ver</c>; from 3 on, counters are deltas since the previous heartbeat.</summary>
    public required int Version { get; init; }

    public required IReadOnlyDictionary<string, ListenerReport> Listeners { get; init; }

    /// <summary>Pools by the key the amphora used (<c>&lt;pool id&gt;:&lt;listener id&gt;</c> or <c>&lt;pool id&gt;</c>).</summary>
    public required IReadOnlyDictionary<string, PoolReport> Pools { get; init; }

    public required DateTime ReceivedAt { get; init; }

    public bool CountersAreDeltas => Version >= 3;

    /// <summary>Longest identifier accepted (amphorae, listeners, pools and members have UUIDs; pool keys add a listener id).</summary>
    public const int MaxIdLength = 80;

    /// <summary>Most listeners, pools and members one heartbeat may name in total.</summary>
    public const int MaxEntries = 20_000;

    /// <summary>
    /// Reads the JSON body of a heartbeat whose signature was already checked. Returns null for anything that
    /// is not a well-formed heartbeat: wrong types, negative counters, oversized identifiers or too many entries.
    /// </summary>
    public static Heartbeat? Parse(ReadOnlySpan<byte> json, DateTime receivedAt)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 8 });
        try
        {
            return JsonElement.TryParseValue(ref reader, out var root) && root is { ValueKind: JsonValueKind.Object } element
                ? Read(element, receivedAt)
                : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private static Heartbeat? Read(JsonElement root, DateTime receivedAt)
    {
        if (!root.TryGetProperty("id", out var id) || !IsId(id)
            || !root.TryGetProperty("seq", out var seqElement) || !TryLong(seqElement, out var seq) || seq < 0)
        {
            return null;
        }

        long version = 1;
        if (root.TryGetProperty("ver", out var ver) && (!TryLong(ver, out version) || version is < 1 or > 1000))
        {
            return null;
        }

        var entries = 0;
        var listeners = new Dictionary<string, ListenerReport>(StringComparer.Ordinal);
        var pools = new Dictionary<string, PoolReport>(StringComparer.Ordinal);
        if (root.TryGetProperty("listeners", out var listenerObject))
        {
            if (listenerObject.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            foreach (var listener in listenerObject.EnumerateObject())
            {
                if (++entries > MaxEntries || listener.Name.Length > MaxIdLength || ReadListener(listener.Value) is not { } report)
                {
                    return null;
                }

                listeners[listener.Name] = report;

                // Version 1 nests each listener's pools inside it.
                if (version < 2 && listener.Value.TryGetProperty("pools", out var nested) && !ReadPools(nested, pools, ref entries))
                {
                    return null;
                }
            }
        }

        if (version >= 2 && root.TryGetProperty("pools", out var poolObject) && !ReadPools(poolObject, pools, ref entries))
        {
            return null;
        }

        return new Heartbeat
        {
            AmphoraId = id.GetString()!,
            Seq = seq,
            Version = (int)version,
            Listeners = listeners,
            Pools = pools,
            ReceivedAt = receivedAt,
        };
    }

    private static ListenerReport? ReadListener(JsonElement listener)
    {
        if (listener.ValueKind != JsonValueKind.Object || !listener.TryGetProperty("status", out var statusElement)
            || ShortString(statusElement) is not { } status)
        {
            return null;
        }

        long tx = 0, rx = 0, conns = 0, totconns = 0, ereq = 0;
        if (listener.TryGetProperty("stats", out var stats))
        {
            if (stats.ValueKind != JsonValueKind.Object
                || !Counter(stats, "tx", out tx) || !Counter(stats, "rx", out rx) || !Counter(stats, "conns", out conns)
                || !Counter(stats, "totconns", out totconns) || !Counter(stats, "ereq", out ereq))
            {
                return null;
            }
        }

        return new ListenerReport(status, tx, rx, conns, totconns, ereq);
    }

    private static bool ReadPools(JsonElement poolObject, Dictionary<string, PoolReport> pools, ref int entries)
    {
        if (poolObject.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        foreach (var pool in poolObject.EnumerateObject())
        {
            if (++entries > MaxEntries || pool.Name.Length > MaxIdLength || pool.Value.ValueKind != JsonValueKind.Object
                || !pool.Value.TryGetProperty("status", out var statusElement) || ShortString(statusElement) is not { } status)
            {
                return false;
            }

            var members = new Dictionary<string, string>(StringComparer.Ordinal);
            if (pool.Value.TryGetProperty("members", out var memberObject))
            {
                if (memberObject.ValueKind != JsonValueKind.Object)
                {
                    return false;
                }

                foreach (var member in memberObject.EnumerateObject())
                {
                    if (++entries > MaxEntries || member.Name.Length > MaxIdLength || ShortString(member.Value) is not { } memberStatus)
                    {
                        return false;
                    }

                    members[member.Name] = memberStatus;
                }
            }

            pools[pool.Name] = new PoolReport(status, members);
        }

        return true;
    }

    /// <summary>A counter: absent reads as 0; present, it must be a whole number, not negative.</summary>
    private static bool Counter(JsonElement stats, string name, out long value)
    {
        value = 0;
        return !stats.TryGetProperty(name, out var element) || (TryLong(element, out value) && value >= 0);
    }

    private static bool TryLong(JsonElement element, out long value)
    {
        value = 0;
        return element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out value);
    }

    private static bool IsId(JsonElement element) =>
        element.ValueKind == JsonValueKind.String && element.GetString() is { Length: > 0 and <= MaxIdLength };

    /// <summary>The statuses HAProxy reports, kept once: most strings of a heartbeat are one of these.</summary>
    private static readonly string[] KnownStatuses = ["UP", "DOWN", "OPEN", "FULL", "MAINT", "DRAIN", "no check", "NOLB"];

    /// <summary>A status string of at most 32 characters, or null; a known status costs no allocation.</summary>
    private static string? ShortString(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        foreach (var known in KnownStatuses)
        {
            if (element.ValueEquals(known))
            {
                return known;
            }
        }

        return element.GetString() is { Length: <= 32 } text ? text : null;
    }
}
