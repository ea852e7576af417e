using System.Globalization;

namespace Octavia.Amphora.Haproxy;

/// <summary>
/// The master CLI's <c>show proc</c> answer: the master's reload and failed-reload counters, the current
/// workers and the old ones still finishing their connections.
/// </summary>
public sealed record MasterProcessList(int MasterPid, int Reloads, int FailedReloads, IReadOnlyList<int> Workers, IReadOnlyList<int> OldWorkers)
{
    /// <summary>
    /// Parses lines such as <c>1234 master 3 [failed: 0] 0d00h01m00s 2.6.12</c>, then <c># workers</c> and
    /// <c># old workers</c> sections of <c>&lt;pid&gt; worker …</c> lines.
    /// </summary>
    public static MasterProcessList Parse(string text)
    {
        int masterPid = 0, reloads = 0, failed = 0;
        var workers = new List<int>();
        var old = new List<int>();
        var section = "";
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith('#'))
            {
                section = line.TrimStart('#').Trim();
                continue;
            }

            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 3 || !int.TryParse(fields[0], CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            if (fields[1] == "master")
            {
                masterPid = pid;
                _ = int.TryParse(fields[2], CultureInfo.InvariantCulture, out reloads);
                var failedAt = Array.IndexOf(fields, "[failed:");
                if (failedAt > 0 && failedAt + 1 < fields.Length)
                {
                    _ = int.TryParse(fields[failedAt + 1].TrimEnd(']'), CultureInfo.InvariantCulture, out failed);
                }
            }
            else if (fields[1] == "worker")
            {
                (section == "old workers" ? old : workers).Add(pid);
            }
        }

        return new MasterProcessList(masterPid, reloads, failed, workers, old);
    }
}
