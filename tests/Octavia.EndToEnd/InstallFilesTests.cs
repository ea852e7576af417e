using System.Diagnostics;

namespace Octavia.EndToEnd;

/// <summary>
/// Issue 19, point 1: <c>scripts/up.sh</c> installs what it published with <c>scripts/install-files.sh</c>, which
/// never writes into a file of <c>var/bin</c>: a program running from there (an amphora's agent) keeps running,
/// the file is replaced by a rename, and a file that did not change is left alone. A plain <c>cp</c> over the
/// running program fails with "Text file busy", as up.sh's second run did.
/// </summary>
public sealed class InstallFilesTests
{
    private static string Script
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var script = Path.Combine(dir.FullName, "scripts", "install-files.sh");
                if (File.Exists(script))
                {
                    return script;
                }
            }

            throw new FileNotFoundException("scripts/install-files.sh not found above " + AppContext.BaseDirectory);
        }
    }

    [Fact]
    public async Task RunningProgram_IsReplacedByRename_AndKeepsRunning_UnchangedFilesLeftAlone()
    {
        using var dir = new TestDirectory();
        var from = Path.Combine(dir.Path, "publish");
        var to = Path.Combine(dir.Path, "bin");
        Directory.CreateDirectory(Path.Combine(from, "runtimes"));
        Directory.CreateDirectory(to);

        // In var/bin: the agent (here a copy of sleep) running, and a file the new publish has unchanged.
        var agent = Path.Combine(to, "octavia-amphora-agent");
        File.Copy("/bin/sleep", agent);
        File.SetUnixFileMode(agent, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await File.WriteAllTextAsync(Path.Combine(to, "same.json"), "{}", TestContext.Current.CancellationToken);
        var sameInode = Inode(Path.Combine(to, "same.json"));

        // The new publish: another agent, the same unchanged file, and a new file in a folder.
        File.Copy("/bin/true", Path.Combine(from, "octavia-amphora-agent"));
        await File.WriteAllTextAsync(Path.Combine(from, "same.json"), "{}", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(from, "runtimes", "new.txt"), "new", TestContext.Current.CancellationToken);

        using var running = Process.Start(agent, "600");
        try
        {
            // Once the kernel runs the file, writing into it is refused: what `cp` met.
            while (!File.ReadAllText($"/proc/{running.Id}/cmdline").StartsWith(agent, StringComparison.Ordinal))
            {
                await Task.Yield();
            }

            var (cpCode, cpError) = await RunAsync("cp", "/bin/true", agent);
            Assert.NotEqual(0, cpCode);
            Assert.Contains("Text file busy", cpError, StringComparison.Ordinal);

            var (code, error) = await RunAsync("bash", Script, from, to);
            Assert.True(code == 0, error);
            Assert.Equal(await File.ReadAllBytesAsync("/bin/true", TestContext.Current.CancellationToken),
                await File.ReadAllBytesAsync(agent, TestContext.Current.CancellationToken));
            Assert.Equal("new", await File.ReadAllTextAsync(Path.Combine(to, "runtimes", "new.txt"), TestContext.Current.CancellationToken));
            Assert.Equal(sameInode, Inode(Path.Combine(to, "same.json")));
            Assert.False(running.HasExited);
            Assert.Empty(Directory.GetFiles(to, "*.new.*", SearchOption.AllDirectories));

            // Again, with nothing changed: nothing is written. A single file can be installed too.
            var agentInode = Inode(agent);
            Assert.Equal(0, (await RunAsync("bash", Script, from, to)).Code);
            Assert.Equal(agentInode, Inode(agent));
            await File.WriteAllTextAsync(Path.Combine(from, "one"), "1", TestContext.Current.CancellationToken);
            Assert.Equal(0, (await RunAsync("bash", Script, Path.Combine(from, "one"), to)).Code);
            Assert.Equal("1", await File.ReadAllTextAsync(Path.Combine(to, "one"), TestContext.Current.CancellationToken));
        }
        finally
        {
            running.Kill();
            await running.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
    }

    /// <summary>The file's inode number: a file replaced by a rename has a new one.</summary>
    private static string Inode(string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%i", path]) { RedirectStandardOutput = true })!;
        var text = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return text;
    }

    private static async Task<(int Code, string Error)> RunAsync(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await error);
    }
}
