using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;
using Octavia.Core.Configuration;
using Octavia.Core.Drivers;

namespace Octavia.Drivers.Local;

/// <summary>One backend server started by <c>octavia server start</c>.</summary>
public sealed record LocalServer(string Address, string SubnetId, string SubnetName, string Namespace, int? Pid, bool Running);

/// <summary>
/// <c>octavia server start/list/stop</c>: backend servers for a single-host cloud (the stand-in for
/// booting tenant VMs). A server is a command run in its own namespace <c>octavia-srv-&lt;address hex&gt;</c>,
/// on one subnet at one address, holding a port of that subnet like any other device.
/// </summary>
public sealed class LocalServers(LocalNetworkDriver network, IOptions<LocalComputeOptions> compute, IOptions<DefaultOptions> defaults)
{
    private string Directory => Path.GetFullPath(Path.Combine(defaults.Value.StatePath, "servers"));

    public static string NamespaceOf(string address) =>
        "octavia-srv-" + Convert.ToHexStringLower(IPAddress.Parse(address).GetAddressBytes());

    /// <summary>Starts a server; <paramref name="command"/> empty means the built-in HTTP server on <paramref name="port"/>.</summary>
    public async Task<LocalServer> StartAsync(string subnet, string address, int port, IReadOnlyList<string> command, CancellationToken cancellationToken)
    {
        if (!network.MakesLinks)
        {
            throw new NetworkDriverException("octavia server needs the netns compute driver (root): servers live in namespaces on the tenant networks.");
        }

        if (!IPAddress.TryParse(address, out _))
        {
            throw new NetworkDriverException($"'{address}' is not an IP address.");
        }

        var found = await network.FindSubnetAsync(subnet, cancellationToken)
            ?? throw new NetworkDriverException($"Subnet {subnet} not found; `octavia network list` shows them.");
        var ns = NamespaceOf(address);
        if ((await Links.PidsAsync(ns, cancellationToken)).Count > 0)
        {
            throw new NetworkDriverException($"A server at {address} is already running; stop it first.");
        }

        await Links.EnsureNamespaceAsync(ns, cancellationToken);
        try
        {
            var plugged = await network.PlugAsync(new PlugRequest(ns, LocalNetworkDriver.ServerOwner, "octavia-server-" + address, found.Id, ns, address, "eth0"),
                cancellationToken);
            var length = Cidr.Parse(plugged.SubnetCidr).PrefixLength.ToString(CultureInfo.InvariantCulture);
            // An IPv6 address without duplicate detection: the server binds it as soon as it starts.
            string[] flags = plugged.IpAddress.Contains(':', StringComparison.Ordinal) ? ["nodad"] : [];
            await HostCommand.IpAsync(cancellationToken, ["-n", ns, "address", "replace", $"{plugged.IpAddress}/{length}", "dev", "eth0", .. flags]);
            await HostCommand.IpAsync(cancellationToken, "-n", ns, "link", "set", "eth0", "up");
        }
        catch
        {
            await Links.DeleteNamespaceAsync(ns, cancellationToken);
            throw;
        }

        System.IO.Directory.CreateDirectory(Directory);
        IReadOnlyList<string> run = command.Count > 0
            ? command
            : [.. OctaviaExecutable.Command(compute.Value.AgentCommand), "server", "serve", "--address", address, "--port", port.ToString(CultureInfo.InvariantCulture)];
        var pid = OctaviaExecutable.StartDetached(ns, run, Directory, Path.Combine(Directory, ns + ".log"));
        await File.WriteAllTextAsync(Path.Combine(Directory, ns + ".pid"), pid.ToString(CultureInfo.InvariantCulture), cancellationToken);
        return new LocalServer(address, found.Id, found.Name, ns, pid, true);
    }

    public async Task<List<LocalServer>> ListAsync(CancellationToken cancellationToken)
    {
        var servers = new List<LocalServer>();
        foreach (var port in await network.ServerPortsAsync(cancellationToken))
        {
            var pid = OctaviaExecutable.ReadPid(Path.Combine(Directory, port.DeviceId + ".pid"));
            servers.Add(new LocalServer(port.IpAddress, port.SubnetId, port.SubnetName, port.DeviceId, pid, pid is { } p && OctaviaExecutable.IsAlive(p)));
        }

        return servers;
    }

    /// <summary>Stops the server at <paramref name="address"/> (or all when null): processes, namespace, port.</summary>
    public async Task<int> StopAsync(string? address, CancellationToken cancellationToken)
    {
        var stopped = 0;
        foreach (var server in await ListAsync(cancellationToken))
        {
            if (address is not null && server.Address != address)
            {
                continue;
            }

            await Links.DeleteNamespaceAsync(server.Namespace, cancellationToken);
            foreach (var port in await network.PortsOfAsync(server.Namespace, cancellationToken))
            {
                await network.UnplugAsync(port.PortId, cancellationToken);
            }

            File.Delete(Path.Combine(Directory, server.Namespace + ".pid"));
            stopped++;
        }

        return stopped;
    }
}
