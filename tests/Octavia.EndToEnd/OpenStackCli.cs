using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Octavia.EndToEnd;

/// <summary>Runs <c>openstack</c> with auth type none against the endpoint; every command must exit 0.</summary>
public sealed class OpenStackCli(string endpoint)
{
    public async Task<string> RunAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo("/usr/bin/openstack")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["PATH"] = "/usr/bin:/bin:/usr/sbin:/sbin";
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("OS_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(key);
        }

        foreach (var a in new[] { "--os-auth-type", "none", "--os-endpoint", endpoint }.Concat(arguments))
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, $"openstack {string.Join(' ', arguments)} exited {process.ExitCode}:\n{await stderr}\n{await stdout}");
        return await stdout;
    }

    public async Task<JsonNode> JsonAsync(params string[] arguments) => JsonNode.Parse(await RunAsync(arguments))!;
}
