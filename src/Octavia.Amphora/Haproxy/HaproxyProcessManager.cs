using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Octavia.Core.Logging;

namespace Octavia.Amphora.Haproxy;

/// <summary>
/// Runs one HAProxy per load balancer in master-worker mode (reference/amphora.md §1, §3 #6-#7): started
/// detached so that it outlives the agent, reloaded through the master CLI with the listening sockets
/// handed from the old worker to the new one, stopped by signalling the master. Nothing here assumes a
/// network namespace: the same code serves an agent inside an amphora namespace and one on the host.
/// Reloads of one load balancer are serialized: HAProxy refuses or merges a reload sent while another
/// runs, and requests fail when it does (docs/haproxy-reloads.md).
/// </summary>
public sealed partial class HaproxyProcessManager(AgentBindOptions options, ILogger<HaproxyProcessManager> logger, TimeProvider time)
{
    public const string ConfigFileName = "haproxy.cfg";
    public const string MasterSocketName = "master.sock";
    public const string ServerStateFileName = "servers-state";

    private static readonly TimeSpan ReloadPatience = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopPatience = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new();

    public string DirectoryOf(string loadBalancerId) => Path.Combine(options.BasePath, loadBalancerId);

    public string ConfigFileOf(string loadBalancerId) => Path.Combine(DirectoryOf(loadBalancerId), ConfigFileName);

    public string PidFileOf(string loadBalancerId) => Path.Combine(DirectoryOf(loadBalancerId), loadBalancerId + ".pid");

    public string MasterSocketOf(string loadBalancerId) => Path.Combine(DirectoryOf(loadBalancerId), MasterSocketName);

    /// <summary>Where the rendered configuration puts the stats socket (reference/amphora.md §1).</summary>
    public string StatsSocketOf(string loadBalancerId) => Path.Combine(options.BasePath, loadBalancerId + ".sock");

    public string ServerStateFileOf(string loadBalancerId) => Path.Combine(DirectoryOf(loadBalancerId), ServerStateFileName);

    /// <summary>Whether the agent has a configuration for this load balancer.</summary>
    public bool Exists(string loadBalancerId) => File.Exists(ConfigFileOf(loadBalancerId));

    /// <summary>The ids of the load balancers with a configuration under the base path.</summary>
    public IEnumerable<string> LoadBalancerIds() =>
        Directory.Exists(options.BasePath)
            ? Directory.EnumerateDirectories(options.BasePath).Select(Path.GetFileName).OfType<string>()
                .Where(id => Guid.TryParse(id, out _) && Exists(id))
            : [];

    /// <summary>The master's pid when the pid file names a live HAProxy master of this load balancer.</summary>
    public int? RunningMasterOf(string loadBalancerId)
    {
        var pidFile = PidFileOf(loadBalancerId);
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture, out var pid))
        {
            return null;
        }

        // A recycled pid, or a zombie waiting for its reaper, is not our master.
        return IsLive(pid) && CommandLineOf(pid).Contains(ConfigFileOf(loadBalancerId), StringComparison.Ordinal) ? pid : null;
    }

    /// <summary>Starts the master unless one is already running; returns what happened, for the API's details.</summary>
    public async Task<string> StartAsync(string loadBalancerId, CancellationToken cancellationToken)
    {
        var gate = _gates.GetOrAdd(loadBalancerId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            return await StartLockedAsync(loadBalancerId, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Reloads a running master (a stopped one is started) and returns once the master shows a new worker and
    /// the previous ones among the old workers, so that the next reload never overlaps this one.
    /// </summary>
    public async Task<string> ReloadAsync(string loadBalancerId, CancellationToken cancellationToken)
    {
        var gate = _gates.GetOrAdd(loadBalancerId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (RunningMasterOf(loadBalancerId) is null)
            {
                return await StartLockedAsync(loadBalancerId, cancellationToken);
            }

            await SaveServerStateAsync(loadBalancerId, cancellationToken);
            var masterSocket = MasterSocketOf(loadBalancerId);
            var before = MasterProcessList.Parse(await HaproxySocket.CommandWithRetryAsync(masterSocket, "show proc", ReloadPatience, time, cancellationToken));
            await SendReloadAsync(masterSocket, cancellationToken);
            var giveUpAt = time.GetUtcNow() + ReloadPatience;
            while (true)
            {
                var now = MasterProcessList.Parse(await HaproxySocket.CommandWithRetryAsync(masterSocket, "show proc", ReloadPatience, time, cancellationToken));
                if (now.FailedReloads > before.FailedReloads)
                {
                    throw new HaproxyControlException($"HAProxy refused the new configuration of load balancer {loadBalancerId}; the previous worker keeps serving.");
                }

                if (now.Reloads > before.Reloads && now.Workers.Count > 0 && !now.Workers.Intersect(before.Workers).Any())
                {
                    Log.Reloaded(logger, loadBalancerId, string.Join(',', now.Workers), string.Join(',', now.OldWorkers));
                    return $"Reloaded haproxy-{loadBalancerId}";
                }

                if (time.GetUtcNow() > giveUpAt)
                {
                    throw new HaproxyControlException($"HAProxy of load balancer {loadBalancerId} showed no new worker within {ReloadPatience.TotalSeconds} s of a reload.");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellationToken);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Stops the master and its workers at once (the systemd unit's stop in upstream); a stopped one is left alone.</summary>
    public async Task<string> StopAsync(string loadBalancerId, CancellationToken cancellationToken)
    {
        var gate = _gates.GetOrAdd(loadBalancerId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            return await StopLockedAsync(loadBalancerId, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Stops the load balancer's HAProxy and removes its configuration, sockets and certificates.</summary>
    public async Task DeleteAsync(string loadBalancerId, CancellationToken cancellationToken)
    {
        var gate = _gates.GetOrAdd(loadBalancerId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            await StopLockedAsync(loadBalancerId, cancellationToken);
            File.Delete(StatsSocketOf(loadBalancerId));
            foreach (var directory in new[] { DirectoryOf(loadBalancerId), Path.Combine(options.BasePath, "certs", loadBalancerId) })
            {
                if (Directory.Exists(directory))
                {
                    Directory.Delete(directory, recursive: true);
                }
            }
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<string> StartLockedAsync(string loadBalancerId, CancellationToken cancellationToken)
    {
        if (RunningMasterOf(loadBalancerId) is { } running)
        {
            return $"haproxy-{loadBalancerId} is already running (master {running})";
        }

        var info = new ProcessStartInfo(options.HaproxyCommand)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // -D detaches the master whatever the configuration says, so that HAProxy outlives agent restarts;
        // -W is master-worker mode, -S the master CLI through which reloads are asked for and watched.
        foreach (var argument in new[]
        {
            "-W", "-D", "-S", MasterSocketOf(loadBalancerId) + ",mode,600", "-f", ConfigFileOf(loadBalancerId), "-p", PidFileOf(loadBalancerId),
        })
        {
            info.ArgumentList.Add(argument);
        }

        File.Delete(MasterSocketOf(loadBalancerId));
        using var process = Process.Start(info) ?? throw new HaproxyControlException($"Could not run {options.HaproxyCommand}.");
        // The daemonized master may keep the pipes open: wait for the launcher's exit, not for end of output.
        var stderr = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
            {
                stderr.AppendLine(e.Data);
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(ReloadPatience);
            await WaitForExitOfLauncherAsync(process, timeout.Token);
        }

        if (process.ExitCode != 0)
        {
            string words;
            lock (stderr)
            {
                words = stderr.ToString().Trim();
            }

            throw new HaproxyControlException($"HAProxy of load balancer {loadBalancerId} did not start: {words}");
        }

        // The master binds every listener before it forks, so a worker in `show proc` means the frontends accept.
        var giveUpAt = time.GetUtcNow() + ReloadPatience;
        while (true)
        {
            try
            {
                var list = MasterProcessList.Parse(await HaproxySocket.CommandAsync(MasterSocketOf(loadBalancerId), "show proc", cancellationToken));
                if (list.Workers.Count > 0)
                {
                    Log.Started(logger, loadBalancerId, list.MasterPid);
                    return $"Started haproxy-{loadBalancerId}";
                }
            }
            catch (SocketException) when (time.GetUtcNow() < giveUpAt)
            {
            }

            if (time.GetUtcNow() > giveUpAt)
            {
                throw new HaproxyControlException($"HAProxy of load balancer {loadBalancerId} started but showed no worker.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellationToken);
        }
    }

    /// <summary>
    /// Waits for the launcher (the process that forks the master and exits) without waiting for its pipes to
    /// close, which <see cref="Process.WaitForExitAsync(CancellationToken)"/> would do.
    /// </summary>
    private async Task WaitForExitOfLauncherAsync(Process process, CancellationToken cancellationToken)
    {
        while (!process.WaitForExit(0))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), time, cancellationToken);
        }
    }

    private async Task<string> StopLockedAsync(string loadBalancerId, CancellationToken cancellationToken)
    {
        if (RunningMasterOf(loadBalancerId) is not { } master)
        {
            return $"haproxy-{loadBalancerId} is not running";
        }

        _ = Kill(master, SignalTerminate);
        var giveUpAt = time.GetUtcNow() + StopPatience;
        while (IsLive(master))
        {
            if (time.GetUtcNow() > giveUpAt)
            {
                _ = Kill(master, SignalKill);
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellationToken);
        }

        File.Delete(PidFileOf(loadBalancerId));
        File.Delete(MasterSocketOf(loadBalancerId));
        Log.Stopped(logger, loadBalancerId, master);
        return $"Stopped haproxy-{loadBalancerId}";
    }

    /// <summary>
    /// Asks the master to reload. The master re-executes itself and may keep this connection's descriptor
    /// without answering, so the answer is not awaited for long; <c>show proc</c> tells what happened.
    /// </summary>
    private static async Task SendReloadAsync(string masterSocket, CancellationToken cancellationToken)
    {
        using var shortWait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        shortWait.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            await HaproxySocket.CommandAsync(masterSocket, "reload", shortWait.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
        }
    }

    /// <summary>
    /// Saves <c>show servers state</c> where <c>server-state-file</c> points, so that the new worker starts with
    /// the members' health as the old one knew it. A failure is logged, not fatal: the reload matters more.
    /// </summary>
    private async Task SaveServerStateAsync(string loadBalancerId, CancellationToken cancellationToken)
    {
        var statsSocket = StatsSocketOf(loadBalancerId);
        if (!File.Exists(statsSocket))
        {
            return;
        }

        try
        {
            var state = await HaproxySocket.CommandAsync(statsSocket, "show servers state", cancellationToken);
            await File.WriteAllTextAsync(ServerStateFileOf(loadBalancerId), state, cancellationToken);
        }
        catch (SocketException e)
        {
            Log.ServerStateNotSaved(logger, loadBalancerId, e.Message);
        }
    }

    private const int SignalKill = 9;
    private const int SignalTerminate = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>Alive and not a zombie (a daemon's zombie lingers until its reaper collects it).</summary>
    private static bool IsLive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..];
            return !state.StartsWith('Z') && !state.StartsWith('X');
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string CommandLineOf(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEventIds.HaproxyProcessManagerStarted, Level = LogLevel.Information, Message = "HAProxy of load balancer {LoadBalancerId} started, master {MasterPid}")]
        public static partial void Started(ILogger logger, string loadBalancerId, int masterPid);

        [LoggerMessage(EventId = LogEventIds.HaproxyProcessManagerReloaded, Level = LogLevel.Information, Message = "HAProxy of load balancer {LoadBalancerId} reloaded: workers {Workers}, old workers {OldWorkers}")]
        public static partial void Reloaded(ILogger logger, string loadBalancerId, string workers, string oldWorkers);

        [LoggerMessage(EventId = LogEventIds.HaproxyProcessManagerStopped, Level = LogLevel.Information, Message = "HAProxy of load balancer {LoadBalancerId} stopped, master {MasterPid}")]
        public static partial void Stopped(ILogger logger, string loadBalancerId, int masterPid);

        [LoggerMessage(EventId = LogEventIds.HaproxyProcessManagerServerStateNotSaved, Level = LogLevel.Warning, Message = "Server state of load balancer {LoadBalancerId} not saved before a reload: {Reason}")]
        public static partial void ServerStateNotSaved(ILogger logger, string loadBalancerId, string reason);
    }
}

/// <summary>HAProxy could not be started, reloaded or stopped; the message says why (the API answers 500 with it).</summary>
public sealed class HaproxyControlException(string message) : Exception(message);
