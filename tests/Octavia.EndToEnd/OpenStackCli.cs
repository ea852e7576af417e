using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Octavia.EndToEnd;

/// <summary>
/// Runs the real <c>openstack</c> client: either without Keystone (<c>--os-auth-type none --os-endpoint</c>), or
/// through a clouds.yaml (<c>OS_CLIENT_CONFIG_FILE</c> and <c>OS_CLOUD</c>; no auth or password auth through
/// Keystone's catalog) so that commands are written exactly as a user types them. Also compiled into
/// Octavia.Api.Tests (a linked file) for the Keystone catalog tests.
/// </summary>
public sealed class OpenStackCli
{
    private readonly string[] _options;
    private readonly Dictionary<string, string> _environment;

    public OpenStackCli(string endpoint)
        : this(["--os-auth-type", "none", "--os-endpoint", endpoint], [])
    {
    }

    private OpenStackCli(string[] options, Dictionary<string, string> environment)
    {
        _options = options;
        _environment = environment;
    }

    /// <summary>The client configured by the cloud <paramref name="cloud"/> of the clouds.yaml <paramref name="file"/>.</summary>
    public static OpenStackCli FromCloudsYaml(string file, string cloud) =>
        new([], new Dictionary<string, string> { ["OS_CLIENT_CONFIG_FILE"] = file, ["OS_CLOUD"] = cloud });

    /// <summary>Runs a command that must exit 0; returns its standard output.</summary>
    public async Task<string> RunAsync(params string[] arguments)
    {
        var (exitCode, stdout, stderr) = await TryRunAsync(arguments);
        Assert.True(exitCode == 0, $"openstack {string.Join(' ', arguments)} exited {exitCode}:\n{stderr}\n{stdout}");
        return stdout;
    }

    /// <summary>Runs a command that may fail; returns its exit code and output.</summary>
    public async Task<(int ExitCode, string Stdout, string Stderr)> TryRunAsync(params string[] arguments)
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

        foreach (var (key, value) in _environment)
        {
            info.Environment[key] = value;
        }

        foreach (var a in _options.Concat(arguments))
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await stdout, await stderr);
    }

    public async Task<JsonNode> JsonAsync(params string[] arguments) => JsonNode.Parse(await RunAsync(arguments))!;
}
