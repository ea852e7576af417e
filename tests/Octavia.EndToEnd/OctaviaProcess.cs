using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Octavia.EndToEnd;

/// <summary>
/// One real <c>octavia</c> process (the built executable, run with <c>dotnet octavia.dll</c>), its output
/// kept for the test log. Killed when disposed, so nothing outlives a test even when it fails.
/// </summary>
public sealed class OctaviaProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private TaskCompletionSource _outputChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private OctaviaProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Path of the built octavia.dll next to this test assembly.</summary>
    public static string OctaviaDll => Path.Combine(AppContext.BaseDirectory, "octavia.dll");

    /// <summary>
    /// Starts <c>octavia --config-file FILE</c> (unless <paramref name="configFile"/> is null) with
    /// <paramref name="arguments"/>; the option goes first so that a trailing <c>-- COMMAND</c> stays intact.
    /// </summary>
    public static OctaviaProcess Start(string? configFile, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(OctaviaDll);
        if (configFile is not null)
        {
            info.ArgumentList.Add("--config-file");
            info.ArgumentList.Add(configFile);
        }

        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start octavia.");
        var wrapper = new OctaviaProcess(process);
        process.OutputDataReceived += (_, e) => wrapper.Append(e.Data);
        process.ErrorDataReceived += (_, e) => wrapper.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return wrapper;
    }

    /// <summary>Runs a subcommand to completion and returns its exit code.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string configFile, params string[] arguments)
    {
        using var p = Start(configFile, arguments);
        await p._process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (p._process.ExitCode, p.Output);
    }

    /// <summary>SIGKILL: the process gets no chance to finish anything.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    /// <summary>SIGTERM, then waits for the exit (SIGKILL after <paramref name="timeout"/>); returns the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"octavia did not exit within {timeout} of SIGTERM:\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>Waits until the output contains <paramref name="text"/>; fails if the process exits first or <paramref name="timeout"/> passes.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout);
        while (true)
        {
            Task changed;
            lock (_output)
            {
                if (_output.ToString().Contains(text, StringComparison.Ordinal))
                {
                    return;
                }

                changed = _outputChanged.Task;
            }

            if (_process.HasExited)
            {
                // Output that was still in the pipe when the process exited arrives after HasExited.
                await _process.WaitForExitAsync(cts.Token);
                if (Output.Contains(text, StringComparison.Ordinal))
                {
                    return;
                }

                throw new InvalidOperationException($"octavia exited before printing '{text}':\n{Output}");
            }

            try
            {
                await changed.WaitAsync(TimeSpan.FromMilliseconds(500), cts.Token);
            }
            catch (TimeoutException)
            {
                // Look at HasExited again.
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"octavia did not print '{text}' within {timeout}:\n{Output}");
            }
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        TaskCompletionSource changed;
        lock (_output)
        {
            if (line is not null)
            {
                _output.AppendLine(line);
            }

            changed = _outputChanged;
            _outputChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits until the API answers <c>GET /</c>.</summary>
    public static async Task WaitForApiAsync(HttpClient client, OctaviaProcess process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException("octavia exited:\n" + process.Output);
            }

            try
            {
                using var response = await client.GetAsync("/", TestContext.Current.CancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException("The API did not come up:\n" + process.Output);
    }
}
