using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Octavia.Core.Amphorae;
using Octavia.Core.Logging;

namespace Octavia.Amphora.Network;

/// <summary>
/// Plugs the VIP and member-network ports into the amphora (reference/amphora.md §3 #14, #15, #20) with
/// iproute2: the controller's network driver has already moved a veth end with the port's MAC into the
/// amphora's namespace; the agent finds it by MAC, names it (<c>eth1</c> for the VIP, the next free
/// <c>ethN</c> otherwise), sets the MTU, adds the addresses and host routes and brings it up.
/// Host safety (DESIGN.md): no default route is ever added, neither from <c>gateway</c> nor from a host route
/// to 0.0.0.0/0 or ::/0, so an amphora never routes through the host.
/// </summary>
/// <param name="networkNamespace">Null for the agent's own namespace; a name makes every command <c>ip -n name …</c>,
/// which lets tests drive a namespace they created.</param>
public sealed partial class InterfacePlugger(ILogger<InterfacePlugger> logger, string? networkNamespace = null, string ipCommand = "ip")
{
    public const string VipInterface = "eth1";

    public sealed record Link(string Name, string Mac, int Mtu, bool Up, IReadOnlyList<string> Addresses);

    /// <summary>Plugs the VIP port; returns the API's details text.</summary>
    public async Task<string> PlugVipAsync(string vip, PlugVipRequest request, CancellationToken cancellationToken)
    {
        var vipAddress = ParseAddress(vip, "VIP");
        var subnet = ParseNetwork(request.SubnetCidr, "subnet_cidr");
        RequireSameFamily(vipAddress, subnet, vip);
        var addresses = new List<(IPAddress Address, int Prefix)> { (vipAddress, subnet.PrefixLength) };
        if (request.VrrpIp is { } vrrp)
        {
            var vrrpAddress = ParseAddress(vrrp, "vrrp_ip");
            RequireSameFamily(vrrpAddress, subnet, vrrp);
            addresses.Add((vrrpAddress, subnet.PrefixLength));
        }

        var routes = new List<HostRoute>(request.HostRoutes ?? []);
        foreach (var extra in request.AdditionalVips ?? [])
        {
            var address = ParseAddress(extra.IpAddress, "additional VIP");
            var extraSubnet = ParseNetwork(extra.SubnetCidr, "additional VIP subnet_cidr");
            RequireSameFamily(address, extraSubnet, extra.IpAddress);
            addresses.Add((address, extraSubnet.PrefixLength));
            routes.AddRange(extra.HostRoutes ?? []);
        }

        var validRoutes = ValidateRoutes(routes);
        var mac = NormalizeMac(request.MacAddress);
        var links = await LinksAsync(cancellationToken);
        var link = links.FirstOrDefault(l => l.Mac == mac) ?? throw NotFound();
        if (link.Name == VipInterface && link.Addresses.Contains(vipAddress.ToString()))
        {
            throw new PlugException(409, "Interface already exists", $"VIP {vip} is already plugged on {VipInterface}");
        }

        if (link.Name != VipInterface)
        {
            if (links.Any(l => l.Name == VipInterface))
            {
                throw new PlugException(409, "Interface already exists", $"{VipInterface} is already taken by another port");
            }

        }

        EnableIpv6(link.Name, addresses);
        await BatchAsync([.. Rename(link.Name, VipInterface), .. Configure(VipInterface, request.Mtu, addresses, validRoutes)], cancellationToken);
        await AnnounceAsync(VipInterface, addresses.Select(a => a.Address), cancellationToken);
        return $"VIPs plugged on interface {VipInterface}: {string.Join(", ", addresses.Select(a => a.Address))}";
    }

    /// <summary>Plugs (or updates) a member-network port; returns the API's details text.</summary>
    public async Task<string> PlugNetworkAsync(PlugNetworkRequest request, CancellationToken cancellationToken)
    {
        var addresses = new List<(IPAddress Address, int Prefix)>();
        var routes = new List<HostRoute>();
        foreach (var fixedIp in request.FixedIps ?? [])
        {
            var address = ParseAddress(fixedIp.IpAddress, "fixed IP");
            var subnet = ParseNetwork(fixedIp.SubnetCidr, "subnet_cidr");
            RequireSameFamily(address, subnet, fixedIp.IpAddress);
            addresses.Add((address, subnet.PrefixLength));
            routes.AddRange(fixedIp.HostRoutes ?? []);
        }

        var validRoutes = ValidateRoutes(routes);
        var mac = NormalizeMac(request.MacAddress);
        var links = await LinksAsync(cancellationToken);
        var link = links.FirstOrDefault(l => l.Mac == mac) ?? throw NotFound();
        EnableIpv6(link.Name, addresses);
        if (EthIndex(link.Name) is > 1)
        {
            await BatchAsync(Configure(link.Name, request.Mtu, addresses, validRoutes), cancellationToken);
            return $"Updated existing interface {link.Name}";
        }

        // eth1 belongs to the VIP; member networks take eth2 onwards.
        var taken = links.Select(l => EthIndex(l.Name)).OfType<int>().ToHashSet();
        var name = "eth" + Enumerable.Range(2, 1000).First(n => !taken.Contains(n));
        await BatchAsync([.. Rename(link.Name, name), .. Configure(name, request.Mtu, addresses, validRoutes)], cancellationToken);
        await AnnounceAsync(name, addresses.Select(a => a.Address), cancellationToken);
        return $"Plugged on interface {name}";
    }

    /// <summary>The interface holding <paramref name="ip"/>, or null.</summary>
    public async Task<string?> InterfaceOfAsync(string ip, CancellationToken cancellationToken)
    {
        var address = ParseAddress(ip, "IP address").ToString();
        return (await LinksAsync(cancellationToken)).FirstOrDefault(l => l.Addresses.Contains(address))?.Name;
    }

    /// <summary>The interfaces of the namespace, with their MAC, MTU, state and addresses (<c>ip -j addr show</c>).</summary>
    public async Task<IReadOnlyList<Link>> LinksAsync(CancellationToken cancellationToken)
    {
        using var doc = JsonDocument.Parse(await RunAsync(["-j", "addr", "show"], cancellationToken));
        var links = new List<Link>();
        foreach (var element in doc.RootElement.EnumerateArray())
        {
            var name = element.GetProperty("ifname").GetString() ?? "";
            var mac = element.TryGetProperty("address", out var a) ? NormalizeMac(a.GetString() ?? "", strict: false) : "";
            var mtu = element.TryGetProperty("mtu", out var m) ? m.GetInt32() : 0;
            var up = element.TryGetProperty("flags", out var flags) && flags.EnumerateArray().Any(f => f.GetString() == "UP");
            var addresses = element.TryGetProperty("addr_info", out var info)
                ? info.EnumerateArray().Select(i => i.TryGetProperty("local", out var l) ? l.GetString() : null).OfType<string>()
                    .Select(s => IPAddress.Parse(s).ToString()).ToList()
                : [];
            links.Add(new Link(name, mac, mtu, up, addresses));
        }

        return links;
    }

    /// <summary>The <c>ip</c> commands that rename a link (it must be down for that); none when it has the name already.</summary>
    private static IEnumerable<string> Rename(string from, string to) =>
        from == to ? [] : [$"link set dev {from} down", $"link set dev {from} name {to}"];

    /// <summary>The <c>ip</c> commands that give a link its MTU, addresses and routes and bring it up.</summary>
    private static List<string> Configure(string name, int? mtu, List<(IPAddress Address, int Prefix)> addresses, List<(string Destination, string Nexthop)> routes)
    {
        var commands = new List<string>();
        if (mtu is { } value)
        {
            commands.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"link set dev {name} mtu {value}"));
        }

        // `replace` keeps a second plug of the same port idempotent. An IPv6 address skips duplicate
        // detection: HAProxy binds the VIP right after the plug, and a tentative address cannot be bound.
        commands.AddRange(addresses.Select(a => $"addr replace {a.Address}/{a.Prefix} dev {name}"
            + (a.Address.AddressFamily == AddressFamily.InterNetworkV6 ? " nodad" : "")));
        commands.Add($"link set dev {name} up");
        commands.AddRange(routes.Select(r => $"route replace {r.Destination} via {r.Nexthop} dev {name}"));
        return commands;
    }

    /// <summary>
    /// IPv6 on a link that gets an IPv6 address, in case the namespace was made with it off (the sysctl
    /// follows the link through a rename). Only in the agent's own namespace: a test's namespace keeps its settings.
    /// </summary>
    private void EnableIpv6(string link, List<(IPAddress Address, int Prefix)> addresses)
    {
        var path = $"/proc/sys/net/ipv6/conf/{link}/disable_ipv6";
        if (networkNamespace is null && addresses.Any(a => a.Address.AddressFamily == AddressFamily.InterNetworkV6) && File.Exists(path)
            && File.ReadAllText(path).Trim() != "0")
        {
            File.WriteAllText(path, "0");
        }
    }

    /// <summary>
    /// Runs the commands through one <c>ip -batch</c>, which stops at the first that fails: a process per
    /// command made a VIP plug six processes long, which was most of what taking a spare amphora cost.
    /// Every word in them was parsed from the request or read from the kernel, so none holds a space.
    /// </summary>
    private async Task BatchAsync(IReadOnlyList<string> commands, CancellationToken cancellationToken)
    {
        var arguments = new List<string>();
        if (networkNamespace is not null)
        {
            arguments.AddRange(["-n", networkNamespace]);
        }

        arguments.AddRange(["-batch", "-"]);
        await ExecuteAsync(ipCommand, arguments, cancellationToken, string.Join('\n', commands) + "\n");
    }

    /// <summary>Gratuitous ARP for IPv4 addresses when <c>arping</c> is installed; its absence or failure is not an error.</summary>
    private async Task AnnounceAsync(string name, IEnumerable<IPAddress> addresses, CancellationToken cancellationToken)
    {
        var arping = new[] { "/usr/sbin/arping", "/usr/bin/arping", "/sbin/arping" }.FirstOrDefault(File.Exists);
        if (arping is null)
        {
            return;
        }

        foreach (var address in addresses.Where(a => a.AddressFamily == AddressFamily.InterNetwork))
        {
            try
            {
                var arguments = new List<string>();
                if (networkNamespace is not null)
                {
                    arguments.AddRange(["netns", "exec", networkNamespace, arping]);
                }

                arguments.AddRange(["-U", "-c", "1", "-I", name, address.ToString()]);
                await ExecuteAsync(networkNamespace is null ? arping : ipCommand, arguments, cancellationToken);
            }
            catch (PlugException e)
            {
                Log.AnnounceFailed(logger, address.ToString(), name, e.Details);
            }
        }
    }

    private Task<string> RunAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var all = new List<string>();
        if (networkNamespace is not null)
        {
            all.AddRange(["-n", networkNamespace]);
        }

        all.AddRange(arguments);
        return ExecuteAsync(ipCommand, all, cancellationToken);
    }

    private async Task<string> ExecuteAsync(string command, IEnumerable<string> arguments, CancellationToken cancellationToken, string? stdin = null)
    {
        var info = new ProcessStartInfo(command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not run {command}.");
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin.AsMemory(), cancellationToken);
            process.StandardInput.Close();
        }

        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            var words = (await stderr).Trim();
            var commandLine = string.Join(' ', info.ArgumentList) + (stdin is null ? "" : " <<< " + stdin.Trim().ReplaceLineEndings("; "));
            Log.CommandFailed(logger, command, commandLine, words);
            throw new PlugException(500, "Error plugging network", $"{command} {commandLine}: {words}");
        }

        return await stdout;
    }

    private static PlugException NotFound() =>
        new(404, "Network interface not found", "No suitable network interface found");

    private static int? EthIndex(string name) =>
        name.StartsWith("eth", StringComparison.Ordinal) && int.TryParse(name.AsSpan(3), System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;

    private static IPAddress ParseAddress(string text, string what) =>
        IPAddress.TryParse(text, out var address) && !text.Contains('/', StringComparison.Ordinal)
            ? address
            : throw new PlugException(400, "Invalid request", $"Invalid {what}: {text}");

    private static IPNetwork ParseNetwork(string text, string what) =>
        IPNetwork.TryParse(text, out var network) ? network : throw new PlugException(400, "Invalid request", $"Invalid {what}: {text}");

    private static void RequireSameFamily(IPAddress address, IPNetwork subnet, string text)
    {
        if (address.AddressFamily != subnet.BaseAddress.AddressFamily || !subnet.Contains(address))
        {
            throw new PlugException(400, "Invalid request", $"{text} is not in subnet {subnet}");
        }
    }

    /// <summary>Host routes must be well formed and must not be a default route (host safety).</summary>
    /// <summary>The routes, checked and written back from their parsed form.</summary>
    private static List<(string Destination, string Nexthop)> ValidateRoutes(IEnumerable<HostRoute> routes)
    {
        var valid = new List<(string Destination, string Nexthop)>();
        foreach (var route in routes)
        {
            var destination = ParseNetwork(route.Destination, "host route destination");
            var nexthop = ParseAddress(route.Nexthop, "host route nexthop");
            if (destination.PrefixLength == 0)
            {
                throw new PlugException(400, "Invalid request", $"A default route ({route.Destination}) is not accepted on an amphora");
            }

            if (destination.BaseAddress.AddressFamily != nexthop.AddressFamily)
            {
                throw new PlugException(400, "Invalid request", $"Host route {route.Destination} via {route.Nexthop} mixes address families");
            }

            valid.Add((destination.ToString(), nexthop.ToString()));
        }

        return valid;
    }

    private static string NormalizeMac(string text, bool strict = true)
    {
        var mac = text.Trim().ToLowerInvariant().Replace('-', ':');
        if (strict && (mac.Length != 17 || !mac.Split(':').All(p => p.Length == 2 && p.All(Uri.IsHexDigit))))
        {
            throw new PlugException(400, "Invalid request", $"Invalid mac_address: {text}");
        }

        return mac;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEventIds.InterfacePluggerCommandFailed, Level = LogLevel.Warning, Message = "{Command} {Arguments} failed: {Output}")]
        public static partial void CommandFailed(ILogger logger, string command, string arguments, string output);

        [LoggerMessage(EventId = LogEventIds.InterfacePluggerAnnounceFailed, Level = LogLevel.Information, Message = "Gratuitous ARP for {Address} on {Interface} failed: {Reason}")]
        public static partial void AnnounceFailed(ILogger logger, string address, string @interface, string reason);
    }
}
