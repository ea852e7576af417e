namespace Octavia.Drivers.Tests.Amphora;

/// <summary>HAProxy processes of a test, found by their configuration path under the test's own directory.</summary>
public static class HaproxyProcesses
{
    /// <summary>Pids of live (non-zombie) processes whose command line names a file under <paramref name="basePath"/>.</summary>
    public static List<int> Under(string basePath)
    {
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                var commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ');
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var state = stat[(stat.LastIndexOf(')') + 2)..];
                if (commandLine.Contains("haproxy", StringComparison.Ordinal) && commandLine.Contains(basePath + "/", StringComparison.Ordinal)
                    && !state.StartsWith('Z'))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
            }
        }

        return found;
    }

    /// <summary>SIGKILLs, by pid, every HAProxy of the test that is still there.</summary>
    public static void KillAllUnder(string basePath)
    {
        foreach (var pid in Under(basePath))
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                process.Kill();
            }
            catch (ArgumentException)
            {
            }
            catch (InvalidOperationException)
            {
            }
        }
    }
}
