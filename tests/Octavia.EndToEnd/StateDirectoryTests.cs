using System.Diagnostics;

namespace Octavia.EndToEnd;

/// <summary>
/// Issue 19, point 4: a relative <c>state_path</c> in the configuration file means beside the file, wherever
/// the command runs from; with no <c>state_path</c> at all, a command run where there is no <c>./var</c>
/// stops and says so instead of making a new state directory (and new host networks) there, unless given
/// <c>--create-state</c>.
/// </summary>
public sealed class StateDirectoryTests
{
    [Fact]
    public async Task RelativeStatePath_IsBesideTheConfigFile_NotTheCurrentDirectory()
    {
        using var dir = new TestDirectory();
        var etc = Path.Combine(dir.Path, "etc");
        var elsewhere = Path.Combine(dir.Path, "elsewhere");
        Directory.CreateDirectory(etc);
        Directory.CreateDirectory(elsewhere);
        var config = Path.Combine(etc, "octavia.conf");
        await File.WriteAllTextAsync(config, "[DEFAULT]\nstate_path = ../var\n", TestContext.Current.CancellationToken);

        var (code, output) = await RunAsync(elsewhere, "--config-file", config, "db", "upgrade");
        Assert.True(code == 0, output);
        Assert.True(File.Exists(Path.Combine(dir.Path, "var", "octavia.db")), output);
        Assert.Empty(Directory.GetFileSystemEntries(elsewhere));
    }

    [Fact]
    public async Task NoStatePath_NoVarHere_StopsAndSaysSo_UnlessAskedToCreate()
    {
        using var dir = new TestDirectory();
        var here = Path.Combine(dir.Path, "somewhere");
        Directory.CreateDirectory(here);

        var (code, output) = await RunAsync(here, "db", "upgrade");
        Assert.Equal(2, code);
        Assert.Contains($"octavia: No state directory at {Path.Combine(here, "var")}", output, StringComparison.Ordinal);
        Assert.Contains("--create-state", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(here, "var")));

        (code, output) = await RunAsync(here, "db", "upgrade", "--create-state");
        Assert.True(code == 0, output);
        Assert.True(File.Exists(Path.Combine(here, "var", "octavia.db")), output);

        // Once it exists, it is the state directory of that place: no flag needed.
        (code, output) = await RunAsync(here, "db", "upgrade");
        Assert.True(code == 0, output);
    }

    private static async Task<(int Code, string Output)> RunAsync(string workingDirectory, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet", [OctaviaProcess.OctaviaDll, .. arguments])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        // Only what this test configures: no state_path from the environment.
        info.Environment.Remove("OCTAVIA__DEFAULT__STATE_PATH");
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output + await error);
    }
}
