using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Octavia.EndToEnd.Dataplane;

/// <summary>
/// README.md's walkthrough, run as written against `octavia all` with etc/octavia.conf (the README's own
/// set-up), only moved to a fresh state directory, a free port and the octavia.dll of this build.
/// </summary>
public sealed partial class ReadmeWalkthroughTests
{
    [Fact]
    public async Task Walkthrough_BalancesTheTwoBackends()
    {
        var root = RepositoryRoot();
        var readme = await File.ReadAllTextAsync(Path.Combine(root, "README.md"), TestContext.Current.CancellationToken);
        var block = ShellBlocks().Matches(readme).Select(m => m.Groups[1].Value).First(b => b.StartsWith("octavia() {", StringComparison.Ordinal));

        using var dir = new TestDirectory();
        var port = OctaviaProcess.FreePort();
        var config = (await File.ReadAllTextAsync(Path.Combine(root, "etc", "octavia.conf"), TestContext.Current.CancellationToken))
            .Replace("state_path = ../var", $"state_path = {dir.Path}", StringComparison.Ordinal)
            .Replace("bind_port = 9876", $"bind_port = {port}", StringComparison.Ordinal)
            .Replace("bind_port = 9696", "bind_port = 0", StringComparison.Ordinal);
        Assert.Contains($"state_path = {dir.Path}", config, StringComparison.Ordinal);
        Assert.Contains($"bind_port = {port}", config, StringComparison.Ordinal);
        await File.WriteAllTextAsync(dir.ConfigFile, config, TestContext.Current.CancellationToken);

        var script = block
            .Replace("dotnet var/bin/octavia.dll", $"dotnet {OctaviaProcess.OctaviaDll}", StringComparison.Ordinal)
            .Replace("--config-file etc/octavia.conf", $"--config-file {dir.ConfigFile}", StringComparison.Ordinal)
            .Replace("127.0.0.1:9876", $"127.0.0.1:{port}", StringComparison.Ordinal);

        using var octavia = OctaviaProcess.Start(dir.ConfigFile, "all");
        using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        try
        {
            await OctaviaProcess.WaitForApiAsync(api, octavia);
            var info = new ProcessStartInfo("timeout") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { "120", "bash", "-euo", "pipefail", "-c", script })
            {
                info.ArgumentList.Add(argument);
            }

            using var bash = Process.Start(info)!;
            var output = await bash.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var error = await bash.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await bash.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.True(bash.ExitCode == 0, $"The walkthrough failed ({bash.ExitCode}):\n{output}\n{error}\n{octavia.Output}");
            var answers = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l.StartsWith("192.0.2.", StringComparison.Ordinal)).ToList();
            Assert.Equal(["192.0.2.10:80", "192.0.2.11:80"], answers.Distinct().Order().ToArray());
            Assert.Equal(4, answers.Count);
        }
        finally
        {
            octavia.Kill();
            await OctaviaProcess.RunAsync(dir.ConfigFile, "network", "clean", "--delete-load-balancers");
        }
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "README.md")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("README.md not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("```sh\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlocks();
}
