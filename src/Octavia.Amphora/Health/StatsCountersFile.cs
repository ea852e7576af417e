using System.Text.Json;

namespace Octavia.Amphora.Health;

/// <summary>
/// <c>&lt;base_path&gt;/stats_counters.json</c>: the counters of the last heartbeat, kept on disk so that an agent
/// restart neither reports a listener's whole history again nor loses what happened meanwhile
/// (reference/health.md §3.3). One object per listener id with <c>bin</c>, <c>bout</c>, <c>ereq</c> and <c>stot</c>.
/// </summary>
internal static class StatsCountersFile
{
    public const string FileName = "stats_counters.json";

    /// <summary>The saved counters; none when there is no file. A file that is not such JSON throws <see cref="JsonException"/>.</summary>
    public static Dictionary<string, ListenerCounters> Read(string path)
    {
        var counters = new Dictionary<string, ListenerCounters>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return counters;
        }

        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        foreach (var listener in document.RootElement.EnumerateObject())
        {
            var value = listener.Value;
            counters[listener.Name] = new ListenerCounters(
                value.GetProperty("bin").GetInt64(), value.GetProperty("bout").GetInt64(),
                value.GetProperty("ereq").GetInt64(), value.GetProperty("stot").GetInt64());
        }

        return counters;
    }

    /// <summary>Replaces the file at once (written beside it, then renamed), so a crash never leaves half a file.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, ListenerCounters> counters)
    {
        var temporary = path + ".tmp";
        using (var stream = File.Create(temporary))
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            foreach (var (listener, c) in counters)
            {
                json.WriteStartObject(listener);
                json.WriteNumber("bin", c.BytesIn);
                json.WriteNumber("bout", c.BytesOut);
                json.WriteNumber("ereq", c.RequestErrors);
                json.WriteNumber("stot", c.SessionsTotal);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        File.Move(temporary, path, overwrite: true);
    }
}
