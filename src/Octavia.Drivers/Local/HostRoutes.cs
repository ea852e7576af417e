using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Octavia.Drivers.Local;

/// <summary>
/// The host's routes into the networks it joins (<c>public</c>, <c>lb-mgmt-net</c>): one host route per
/// address Octavia allocated there, through the network's bridge from the host's own address, and no route
/// for the whole range. Every other address of the range keeps leaving through the host's own routes (its
/// uplink), so a remote service that happens to sit in the range (a package mirror, a DNS server) stays
/// reachable (issue 19, point 7). The routes carry <c>proto static</c>; each sync makes them match a list.
/// </summary>
public static class HostRoutes
{
    /// <summary>One host route: an allocated address behind a bridge, reached from the host's address there.</summary>
    public sealed record Route(string Bridge, string Address, string Source);

    /// <summary>
    /// Makes the <c>proto static</c> host routes of each existing bridge in <paramref name="bridges"/> exactly
    /// <paramref name="wanted"/>: missing ones added, others removed. Bridges that do not exist are skipped
    /// (the routes are made with them, by <c>network init</c>). Returns how many routes it added and removed.
    /// </summary>
    public static async Task<(int Added, int Removed)> SyncAsync(IReadOnlyCollection<string> bridges, IReadOnlyCollection<Route> wanted,
        CancellationToken cancellationToken)
    {
        var commands = new StringBuilder();
        int added = 0, removed = 0;
        var existing = bridges.Where(b => Directory.Exists("/sys/class/net/" + b)).ToList();
        var all = existing.Count > 0 ? await PresentAsync(cancellationToken) : [];
        foreach (var bridge in existing)
        {
            var present = all.Where(r => r.Bridge == bridge).ToDictionary(r => r.Address, r => r.Source);
            var want = wanted.Where(r => r.Bridge == bridge).ToDictionary(r => Key(r.Address), r => r);
            foreach (var (address, _) in present.Where(p => !want.TryGetValue(p.Key, out var w) || Key(w.Source) != p.Value))
            {
                commands.AppendLine(CultureInfo.InvariantCulture, $"route del {HostPrefix(address)} dev {bridge} proto static");
                removed++;
            }

            foreach (var route in want.Values.Where(r => !present.TryGetValue(Key(r.Address), out var source) || source != Key(r.Source)))
            {
                commands.AppendLine(CultureInfo.InvariantCulture,
                    $"route replace {HostPrefix(route.Address)} dev {bridge} src {route.Source} proto static");
                added++;
            }
        }

        if (commands.Length > 0)
        {
            // One process for any number of changes; -force goes on past a route that went meanwhile.
            var result = await HostCommand.RunAsync("ip", ["-force", "-batch", "-"], cancellationToken, commands.ToString());
            if (!result.Ok)
            {
                throw new InvalidOperationException($"Could not set the host routes: {result.Error}");
            }
        }

        return (added, removed);
    }

    /// <summary>The <c>proto static</c> host routes of the main table (both families) on <c>octavia-</c> links.</summary>
    public static async Task<List<Route>> PresentAsync(CancellationToken cancellationToken)
    {
        var present = new List<Route>();
        foreach (var family in new[] { "-4", "-6" })
        {
            var result = await HostCommand.RunAsync("ip", ["-j", family, "route", "show", "table", "main", "proto", "static"], cancellationToken);
            if (!result.Ok || result.Output.Trim().Length == 0)
            {
                continue;
            }

            using var doc = JsonDocument.Parse(result.Output);
            foreach (var route in doc.RootElement.EnumerateArray())
            {
                var dst = route.TryGetProperty("dst", out var d) ? d.GetString() ?? "" : "";
                var dev = route.TryGetProperty("dev", out var v) ? v.GetString() ?? "" : "";
                var slash = dst.IndexOf('/', StringComparison.Ordinal);
                var address = slash < 0 ? dst : dst[..slash];
                if (dev.StartsWith(Links.Prefix, StringComparison.Ordinal) && IPAddress.TryParse(address, out var ip)
                    && (slash < 0 || dst[(slash + 1)..] == (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? "32" : "128")))
                {
                    present.Add(new Route(dev, ip.ToString(), route.TryGetProperty("prefsrc", out var src) ? Key(src.GetString() ?? "") : ""));
                }
            }
        }

        return present;
    }

    private static string Key(string address) => IPAddress.TryParse(address, out var ip) ? ip.ToString() : address;

    /// <summary>An address as a host prefix: <c>/32</c> or <c>/128</c>.</summary>
    public static string HostPrefix(string address) => address + (address.Contains(':', StringComparison.Ordinal) ? "/128" : "/32");
}
