using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Octavia.Core.Configuration;
using Octavia.Core.Drivers;
using Octavia.Core.Security;
using Octavia.Drivers.Certificates.Local;

namespace Octavia.Drivers.Local;

/// <summary>The <c>[local_compute]</c> section: how the local compute drivers start an amphora's agent.</summary>
public sealed class LocalComputeOptions
{
    public const string SectionName = "local_compute";

    /// <summary>
    /// The command that runs <c>octavia</c> (the agent is its <c>amphora-agent</c> subcommand). Empty: this
    /// very executable (<c>octavia</c>, or <c>dotnet octavia.dll</c> beside the running assemblies).
    /// </summary>
    [ConfigurationKeyName("agent_command")] public string AgentCommand { get; set; } = "";

    /// <summary>
    /// The natively compiled agent (<c>octavia-amphora-agent</c>, published from src/Octavia.AmphoraAgent),
    /// which amphorae run instead of <c>octavia amphora-agent</c>: a quarter of the memory. Empty: the one
    /// beside the running assemblies when it is there, else the <c>amphora-agent</c> subcommand.
    /// </summary>
    [ConfigurationKeyName("native_agent")] public string NativeAgent { get; set; } = "";

    [ConfigurationKeyName("agent_port")] public int AgentPort { get; set; } = 9443;

    [ConfigurationKeyName("haproxy_cmd")] public string HaproxyCommand { get; set; } = "/usr/sbin/haproxy";
}

/// <summary>
/// What the two local compute drivers share: an amphora is a directory of boot files under
/// <c>$state_path/amp/&lt;short id&gt;</c> (the config drive: its certificate, the client CA, the agent's
/// configuration) and an agent process started from it, in its own session so it outlives the controller.
/// </summary>
public abstract class LocalComputeDriver(
    LocalNetworkDriver network,
    LocalCertificateAuthority authority,
    IOptions<LocalComputeOptions> options,
    IOptions<DefaultOptions> defaults,
    IOptions<HealthManagerOptions> health,
    ILogger logger) : IComputeDriver
{
    public abstract string Name { get; }

    protected abstract string Prefix { get; }

    public abstract string? NamespaceOf(string computeId);

    public static string ShortId(string amphoraId) => amphoraId.Replace("-", "", StringComparison.Ordinal)[..8];

    public string DirectoryOf(string computeId) => Path.GetFullPath(Path.Combine(defaults.Value.StatePath, "amp", computeId[Prefix.Length..]));

    /// <summary>
    /// Where the agent keeps HAProxy's files: the amphora's directory, unless that is too long for the
    /// unix sockets HAProxy makes in it (<c>&lt;base&gt;/&lt;lb id&gt;/master.sock</c> must fit in 97
    /// characters), then a short directory under the temporary directory.
    /// </summary>
    public string BasePathOf(string computeId)
    {
        var directory = DirectoryOf(computeId);
        return directory.Length + 1 + 36 + 1 + 11 <= 97
            ? directory
            : Path.Combine(Path.GetTempPath(), "octavia-amp", computeId[Prefix.Length..]);
    }

    public string AgentConfigOf(string computeId) => Path.Combine(DirectoryOf(computeId), "amphora-agent.conf");

    public async Task<AmphoraCompute> BuildAsync(AmphoraBuild request, CancellationToken cancellationToken)
    {
        var computeId = Prefix + ShortId(request.AmphoraId);
        var ns = NamespaceOf(computeId);
        if (ns is not null)
        {
            await Links.EnsureNamespaceAsync(ns, cancellationToken);
        }

        var management = await network.ManagementSubnetAsync(cancellationToken);
        var port = await network.PlugAsync(new PlugRequest(request.AmphoraId, LocalNetworkDriver.AmphoraOwner, "octavia-amp-mgmt-" + request.AmphoraId,
            management.Id, ns, InterfaceName: "eth0"), cancellationToken);
        if (ns is not null)
        {
            var length = Cidr.Parse(port.SubnetCidr).PrefixLength.ToString(CultureInfo.InvariantCulture);
            await HostCommand.IpAsync(cancellationToken, "-n", ns, "address", "replace", $"{port.IpAddress}/{length}", "dev", "eth0");
            await HostCommand.IpAsync(cancellationToken, "-n", ns, "link", "set", "eth0", "up");
        }

        var directory = DirectoryOf(computeId);
        WriteBootFiles(directory, BasePathOf(computeId), request, port.IpAddress, management.HostAddress);
        if (!await IsRunningAsync(computeId, cancellationToken))
        {
            StartAgent(directory, ns);
        }

        return new AmphoraCompute(computeId, port.IpAddress);
    }

    public async Task DeleteAsync(string computeId, CancellationToken cancellationToken)
    {
        if (!computeId.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return;
        }

        await StopAsync(computeId, cancellationToken);
        foreach (var directory in new[] { DirectoryOf(computeId), BasePathOf(computeId) }.Distinct())
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    protected abstract Task<bool> IsRunningAsync(string computeId, CancellationToken cancellationToken);

    protected abstract Task StopAsync(string computeId, CancellationToken cancellationToken);

    /// <summary>
    /// The agent's <c>[health_manager]</c> section: where its heartbeats go (the controller's own
    /// <c>controller_ip_port_list</c> when set, else the receiver at <paramref name="controllerAddress"/> on the
    /// receiver's port), how often, and the key (the controller's <c>heartbeat_key</c> when set, else
    /// <paramref name="keyFileContents"/>, the key <c>octavia certs init</c> made).
    /// </summary>
    public static string HealthManagerSection(HealthManagerOptions controller, string? controllerAddress, string keyFileContents)
    {
        var address = controllerAddress ?? "127.0.0.1";
        var receivers = string.IsNullOrWhiteSpace(controller.ControllerIpPortList)
            ? (address.Contains(':', StringComparison.Ordinal) ? $"[{address}]" : address) + ":" + controller.BindPort.ToString(CultureInfo.InvariantCulture)
            : controller.ControllerIpPortList.Trim();
        var key = string.IsNullOrEmpty(controller.HeartbeatKey) ? keyFileContents : controller.HeartbeatKey;
        return $"""
            [health_manager]
            controller_ip_port_list = {receivers}
            heartbeat_interval = {controller.HeartbeatInterval.ToString(CultureInfo.InvariantCulture)}
            heartbeat_key = {key}

            """;
    }

    private void WriteBootFiles(string directory, string basePath, AmphoraBuild request, string managementAddress, string? controllerAddress)
    {
        Directory.CreateDirectory(directory);
        Directory.CreateDirectory(basePath);
        SecretFile.Write(Path.Combine(directory, "server.pem"), request.ServerPem);
        File.Copy(authority.PathOf(LocalCertificateAuthority.ClientCaCertFile), Path.Combine(directory, "client_ca.pem"), overwrite: true);
        var heartbeat = HealthManagerSection(health.Value, controllerAddress, authority.ReadHeartbeatKey() ?? "");
        var o = options.Value;
        SecretFile.Write(Path.Combine(directory, "amphora-agent.conf"), $"""
            [DEFAULT]
            state_path = {directory}

            [amphora_agent]
            agent_server_cert = {Path.Combine(directory, "server.pem")}
            agent_server_ca = {Path.Combine(directory, "client_ca.pem")}
            amphora_id = {request.AmphoraId}

            [haproxy_amphora]
            bind_host = {managementAddress}
            bind_port = {o.AgentPort}
            base_path = {basePath}
            haproxy_cmd = {o.HaproxyCommand}

            """ + heartbeat);
    }

    /// <summary>The agent, in a session of its own (it must outlive the controller), its output appended to agent.log.</summary>
    private void StartAgent(string directory, string? ns)
    {
        IReadOnlyList<string> agent = NativeAgent(options.Value) is { } native ? [native] : OctaviaExecutable.Command(options.Value.AgentCommand);
        var pid = OctaviaExecutable.StartDetached(ns,
            [.. agent, "amphora-agent", "--config-file", Path.Combine(directory, "amphora-agent.conf")],
            directory, Path.Combine(directory, "agent.log"));
        File.WriteAllText(Path.Combine(directory, "agent.pid"), pid.ToString(CultureInfo.InvariantCulture));
        logger.LogInformation("Started amphora agent (pid {Pid}) in {Directory}", pid, directory);
    }

    /// <summary>The native agent to run: the configured one (which must exist), else the one beside the running assemblies, else none.</summary>
    public static string? NativeAgent(LocalComputeOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.NativeAgent))
        {
            return File.Exists(options.NativeAgent)
                ? Path.GetFullPath(options.NativeAgent)
                : throw new InvalidOperationException($"[local_compute] native_agent {options.NativeAgent} does not exist.");
        }

        var beside = Path.Combine(AppContext.BaseDirectory, "octavia-amphora-agent");
        return File.Exists(beside) ? beside : null;
    }

    /// <summary>Kills the HAProxy masters the agent started (their pid files) for amphorae without a namespace to empty.</summary>
    protected static void KillHaproxies(string basePath)
    {
        if (!Directory.Exists(basePath))
        {
            return;
        }

        foreach (var pidFile in Directory.EnumerateFiles(basePath, "*.pid", SearchOption.AllDirectories))
        {
            foreach (var line in File.ReadAllLines(pidFile))
            {
                if (int.TryParse(line.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                {
                    Links.Kill(pid);
                }
            }
        }
    }
}

/// <summary>
/// <c>compute_netns_driver</c> (default as root): an amphora is a network namespace
/// <c>octavia-amp-&lt;short id&gt;</c> running the agent and, through it, HAProxy.
/// </summary>
public sealed class NetnsComputeDriver(
    LocalNetworkDriver network,
    LocalCertificateAuthority authority,
    IOptions<LocalComputeOptions> options,
    IOptions<DefaultOptions> defaults,
    IOptions<HealthManagerOptions> health,
    ILogger<NetnsComputeDriver> logger) : LocalComputeDriver(network, authority, options, defaults, health, logger)
{
    public const string DriverName = "compute_netns_driver";

    public override string Name => DriverName;

    protected override string Prefix => "octavia-amp-";

    public override string? NamespaceOf(string computeId) => computeId;

    protected override async Task<bool> IsRunningAsync(string computeId, CancellationToken cancellationToken) =>
        (await Links.PidsAsync(computeId, cancellationToken)).Count > 0;

    protected override Task StopAsync(string computeId, CancellationToken cancellationToken) =>
        Links.DeleteNamespaceAsync(computeId, cancellationToken);
}

/// <summary>
/// <c>compute_process_driver</c> (no root needed): an amphora is its agent and HAProxy as plain processes
/// on the host, answering on loopback addresses.
/// </summary>
public sealed class ProcessComputeDriver(
    LocalNetworkDriver network,
    LocalCertificateAuthority authority,
    IOptions<LocalComputeOptions> options,
    IOptions<DefaultOptions> defaults,
    IOptions<HealthManagerOptions> health,
    ILogger<ProcessComputeDriver> logger) : LocalComputeDriver(network, authority, options, defaults, health, logger)
{
    public const string DriverName = "compute_process_driver";

    public override string Name => DriverName;

    protected override string Prefix => "process-";

    public override string? NamespaceOf(string computeId) => null;

    private int? AgentPid(string computeId) => OctaviaExecutable.ReadPid(Path.Combine(DirectoryOf(computeId), "agent.pid"));

    protected override Task<bool> IsRunningAsync(string computeId, CancellationToken cancellationToken) =>
        Task.FromResult(AgentPid(computeId) is { } pid && OctaviaExecutable.IsAlive(pid));

    protected override async Task StopAsync(string computeId, CancellationToken cancellationToken)
    {
        if (AgentPid(computeId) is { } pid)
        {
            Links.Kill(pid);
        }

        KillHaproxies(BasePathOf(computeId));
        await Task.CompletedTask;
    }
}
