using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Octavia.Drivers.Local;

/// <summary>
/// The remote addresses this host uses through its uplink and must keep reaching there, whatever ranges the
/// local networks take (issue 19, point 7): its DNS servers (<c>/etc/resolv.conf</c>), the hosts of its
/// package sources (APT's sources and configuration, NuGet's configuration files, the proxy variables) and
/// any the operator names in <c>[local_network] uplink_hosts</c>. Host names are resolved with the system
/// resolver; nothing else is sent.
/// </summary>
public static partial class UplinkAddresses
{
    /// <summary>One address and why the host needs it (<c>DNS server</c>, <c>apt source deb.debian.org</c>...).</summary>
    public sealed record Found(IPAddress Address, string Why);

    /// <summary>How long all name look-ups together may take; a resolver that does not answer must not hold up start-up.</summary>
    public static readonly TimeSpan LookupBudget = TimeSpan.FromSeconds(5);

    /// <summary>NuGet's own source, used when no configuration names another.</summary>
    private const string NuGetDefaultHost = "api.nuget.org";

    public static async Task<List<Found>> DiscoverAsync(string extraHosts, ILogger logger, CancellationToken cancellationToken)
    {
        var found = new List<Found>();
        var hosts = new List<(string Host, string Why)>();
        foreach (var line in ReadLines("/etc/resolv.conf"))
        {
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields is ["nameserver", var server, ..] && IPAddress.TryParse(server.Split('%')[0], out var ip))
            {
                found.Add(new Found(ip, "DNS server"));
            }
        }

        foreach (var file in AptFiles())
        {
            hosts.AddRange(UriHosts(ReadLines(file)).Select(h => (h, "apt source " + h)));
        }

        foreach (var file in NuGetFiles())
        {
            hosts.AddRange(UriHosts(ReadLines(file)).Select(h => (h, "NuGet source " + h)));
        }

        hosts.Add((NuGetDefaultHost, "NuGet source " + NuGetDefaultHost));
        foreach (var variable in new[] { "http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY" })
        {
            hosts.AddRange(UriHosts([Environment.GetEnvironmentVariable(variable) ?? ""]).Select(h => (h, "proxy " + h)));
        }

        hosts.AddRange(extraHosts.Split([',', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(h => (h, "uplink_hosts " + h)));

        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(LookupBudget);
        foreach (var group in hosts.GroupBy(h => h.Host.Trim('[', ']').ToLowerInvariant()))
        {
            var why = string.Join(", ", group.Select(g => g.Why).Distinct());
            if (IPAddress.TryParse(group.Key, out var literal))
            {
                found.Add(new Found(literal, why));
                continue;
            }

            try
            {
                foreach (var address in await Dns.GetHostAddressesAsync(group.Key, budget.Token))
                {
                    found.Add(new Found(address, why));
                }
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("Could not resolve {Host} ({Why}): {Error}; an address of it inside a local network's range would not be kept out",
                    group.Key, why, e.Message);
            }
        }

        return found;
    }

    /// <summary>APT's source lists (one-line and deb822 forms) and its configuration (a proxy, say).</summary>
    private static IEnumerable<string> AptFiles() =>
        new[] { "/etc/apt/sources.list", "/etc/apt/apt.conf" }
            .Concat(Children("/etc/apt/sources.list.d").Where(f => f.EndsWith(".list", StringComparison.Ordinal) || f.EndsWith(".sources", StringComparison.Ordinal)))
            .Concat(Children("/etc/apt/apt.conf.d"));

    /// <summary>NuGet's configuration files: the user's, the machine's, and those of the current directory and its parents.</summary>
    private static IEnumerable<string> NuGetFiles()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var files = new List<string>();
        files.AddRange(Children(Path.Combine(home, ".nuget", "NuGet")).Where(IsNuGetConfig));
        files.AddRange(Children(Path.Combine(home, ".nuget", "config")).Where(IsNuGetConfig));
        files.AddRange(Children("/etc/opt/NuGet/Config").Where(IsNuGetConfig));
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            files.AddRange(Children(dir.FullName).Where(f => Path.GetFileName(f).Equals("nuget.config", StringComparison.OrdinalIgnoreCase)));
        }

        return files;
    }

    private static bool IsNuGetConfig(string file) => file.EndsWith(".config", StringComparison.OrdinalIgnoreCase);

    private static IEnumerable<string> Children(string directory)
    {
        try
        {
            return Directory.Exists(directory) ? Directory.GetFiles(directory).Order(StringComparer.Ordinal).ToList() : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>The lines of a file that are not comments; none when it cannot be read.</summary>
    private static IEnumerable<string> ReadLines(string file)
    {
        try
        {
            return File.Exists(file)
                ? File.ReadAllLines(file).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#') && !l.StartsWith("//", StringComparison.Ordinal)
                    && !l.StartsWith("<!--", StringComparison.Ordinal)).ToList()
                : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>The hosts of the network URIs in the lines (<c>http://deb.debian.org/debian</c> gives <c>deb.debian.org</c>).</summary>
    public static IEnumerable<string> UriHosts(IEnumerable<string> lines) =>
        lines.SelectMany(l => UriPattern().Matches(l)).Select(m => m.Groups["host"].Value).Where(h => h.Length > 0 && h != "localhost");

    [GeneratedRegex(@"\b(?:https?|ftp|tor\+https?|mirror\+https?)://(?:[^@/\s""']*@)?(?<host>\[[0-9a-fA-F:.]+\]|[^/\s:""'\]\[]+)")]
    private static partial Regex UriPattern();
}
