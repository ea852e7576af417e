using System.Diagnostics;
using System.Globalization;

namespace Octavia.Drivers.Local;

/// <summary>How to run this very program again, for the processes the local drivers start (agents, servers).</summary>
public static class OctaviaExecutable
{
    /// <summary>The configured command, or <c>octavia</c> itself, or <c>dotnet octavia.dll</c> beside the running assemblies.</summary>
    public static IReadOnlyList<string> Command(string configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }

        var self = Environment.ProcessPath ?? "dotnet";
        if (Path.GetFileName(self) == "octavia")
        {
            return [self];
        }

        var dll = Path.Combine(AppContext.BaseDirectory, "octavia.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"Cannot find octavia.dll beside {AppContext.BaseDirectory}; set [local_compute] agent_command.");
        }

        return [Path.GetFileName(self) == "dotnet" ? self : "dotnet", dll];
    }

    /// <summary>
    /// Starts <paramref name="command"/> in a session of its own (it must outlive its starter), inside
    /// <paramref name="ns"/> when given, output appended to <paramref name="log"/>; returns its pid.
    /// </summary>
    public static int StartDetached(string? ns, IEnumerable<string> command, string workingDirectory, string log, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("setsid") { UseShellExecute = false, WorkingDirectory = workingDirectory };
        if (ns is not null)
        {
            foreach (var argument in new[] { "ip", "netns", "exec", ns })
            {
                info.ArgumentList.Add(argument);
            }
        }

        // sh only redirects: the command and its arguments travel as positional parameters, never parsed.
        foreach (var argument in new[] { "sh", "-c", "exec \"$@\" >>\"$0\" 2>&1", log })
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var argument in command)
        {
            info.ArgumentList.Add(argument);
        }

        // The starter's own overrides are not the child's: its configuration is its command line and file.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("OCTAVIA__", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(key);
        }

        // Workstation GC and a small heap: many of these run at once on a small machine.
        info.Environment["DOTNET_gcServer"] = "0";
        info.Environment["DOTNET_GCHeapHardLimit"] = "0x2000000";
        info.Environment["DOTNET_TieredPGO"] = "0";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {string.Join(' ', command)}.");
        return process.Id;
    }

    public static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public static int? ReadPid(string file) =>
        File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
}
