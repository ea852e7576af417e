using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Octavia.Amphora.Haproxy;

namespace Octavia.Amphora.Api;

/// <summary>
/// <c>GET /1.0/details</c> (reference/amphora.md §3.1): what the controller sizes HAProxy with, read from
/// /proc of the agent's own namespace and mount namespace.
/// </summary>
public static class DetailsEndpoints
{
    public static void Map(IEndpointRouteBuilder app, HaproxyProcessManager haproxy, Func<string> haproxyVersion) =>
        app.MapGet($"/{AmphoraAgentHost.ApiVersion}/details", () => Results.Json(Details(haproxy, haproxyVersion()), AgentJson.Default.DictionaryStringObject));

    public static Dictionary<string, object> Details(HaproxyProcessManager haproxy, string haproxyVersion)
    {
        var lbs = haproxy.LoadBalancerIds().ToList();
        var memory = MemoryInfo();
        var root = new DriveInfo("/");
        return new Dictionary<string, object>
        {
            ["hostname"] = Environment.MachineName,
            ["haproxy_version"] = haproxyVersion,
            ["api_version"] = AmphoraAgentHost.ApiVersion,
            ["networks"] = Networks(),
            ["active"] = true,
            ["haproxy_count"] = lbs.Count(lb => haproxy.RunningMasterOf(lb) is not null),
            ["cpu_count"] = Environment.ProcessorCount,
            ["cpu"] = Cpu(),
            ["memory"] = new Dictionary<string, long>
            {
                ["total"] = memory.GetValueOrDefault("MemTotal"),
                ["free"] = memory.GetValueOrDefault("MemFree"),
                ["buffers"] = memory.GetValueOrDefault("Buffers"),
                ["cached"] = memory.GetValueOrDefault("Cached"),
                ["swap_used"] = memory.GetValueOrDefault("SwapTotal") - memory.GetValueOrDefault("SwapFree"),
                ["shared"] = memory.GetValueOrDefault("Shmem"),
                ["slab"] = memory.GetValueOrDefault("Slab"),
            },
            ["disk"] = new Dictionary<string, long>
            {
                ["used"] = root.TotalSize - root.TotalFreeSpace,
                ["available"] = root.AvailableFreeSpace,
            },
            // Upstream hands the /proc/loadavg fields over as the strings they are.
            ["load"] = File.ReadAllText("/proc/loadavg").Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(3).ToArray(),
            ["active_tuned_profiles"] = "",
            ["topology"] = "SINGLE",
            ["topology_status"] = "OK",
            ["listeners"] = lbs,
            ["packages"] = new Dictionary<string, string>(),
            ["lvs_listener_process_count"] = 0,
        };
    }

    /// <summary>Byte counters of every interface but loopback, from /proc/net/dev (which follows the network namespace).</summary>
    private static Dictionary<string, Dictionary<string, long>> Networks()
    {
        var networks = new Dictionary<string, Dictionary<string, long>>();
        foreach (var line in File.ReadLines("/proc/net/dev").Skip(2))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var name = line[..colon].Trim();
            var fields = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (name == "lo" || fields.Length < 9)
            {
                continue;
            }

            networks[name] = new Dictionary<string, long>
            {
                ["network_rx"] = long.Parse(fields[0], CultureInfo.InvariantCulture),
                ["network_tx"] = long.Parse(fields[8], CultureInfo.InvariantCulture),
            };
        }

        return networks;
    }

    /// <summary>The aggregate line of /proc/stat, in clock ticks since boot.</summary>
    private static Dictionary<string, long> Cpu()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        return new Dictionary<string, long>
        {
            ["total"] = fields.Take(8).Sum(),
            ["user"] = fields[0],
            ["system"] = fields[2],
            ["soft_irq"] = fields[6],
        };
    }

    /// <summary>/proc/meminfo in kB.</summary>
    private static Dictionary<string, long> MemoryInfo()
    {
        var values = new Dictionary<string, long>();
        foreach (var line in File.ReadLines("/proc/meminfo"))
        {
            var parts = line.Split(':', 2);
            if (parts.Length == 2 && long.TryParse(parts[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture, out var kb))
            {
                values[parts[0]] = kb;
            }
        }

        return values;
    }
}
