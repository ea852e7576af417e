using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using Octavia.Core.Configuration;
using Octavia.Core.Model;
using Octavia.Core.Statuses;
using Octavia.Db;
using Octavia.Drivers.Local;
using Octavia.Hosting;

namespace Octavia.Commands;

/// <summary><c>octavia network init|list|clean</c>: the local network driver's set-up and tear-down.</summary>
public static class NetworkCommands
{
    public static Command Build(Option<string?> configFile)
    {
        var network = new Command("network", "Networks of the local network driver (bridges, veths, IPAM).");

        var init = new Command("init", "Create the public, private and lb-mgmt-net networks and their bridges (idempotent).");
        init.SetAction(async (result, ct) =>
        {
            var driver = await StartAsync(StateDirectory.Build(result, configFile), ct);
            await driver.InitAsync(ct);
            await PrintAsync(driver, ct);
            await PrintExcludedAsync(driver);
            return 0;
        });
        network.Subcommands.Add(init);

        var list = new Command("list", "List the networks and subnets with their IDs.");
        list.SetAction(async (result, ct) =>
        {
            await PrintAsync(await StartAsync(StateDirectory.Build(result, configFile), ct), ct);
            return 0;
        });
        network.Subcommands.Add(list);

        var clean = new Command("clean",
            "Remove everything the driver made: octavia- namespaces (and their processes), links, the guard table, and the networks. "
            + "Refuses while load balancers exist, unless given --delete-load-balancers.");
        var deleteLoadBalancers = new Option<bool>("--delete-load-balancers")
        {
            Description = "Also mark every load balancer and its amphorae DELETED: their amphorae and VIPs go with the networks.",
        };
        clean.Options.Add(deleteLoadBalancers);
        clean.SetAction(async (result, ct) =>
        {
            var services = await ServicesAsync(StateDirectory.Build(result, configFile), ct);
            var existing = await LoadBalancersAsync(services, ct);
            var deleting = result.GetValue(deleteLoadBalancers);
            if (existing.Count > 0 && !deleting)
            {
                // The database would go on describing load balancers whose amphorae and VIPs are gone.
                await Console.Error.WriteLineAsync(
                    $"octavia: network clean refuses: {existing.Count} load balancer(s) still exist, and their amphorae and VIPs would go with the networks:\n"
                    + string.Join('\n', existing.Select(lb => $"  {lb.Id}  {lb.Name}  {lb.ProvisioningStatus}")) + "\n"
                    + "Delete them first, with octavia all running: openstack loadbalancer delete --cascade <id> (for each id above); "
                    + "or run octavia network clean --delete-load-balancers to mark them DELETED as their networks go.");
                return 2;
            }

            await services.GetRequiredService<LocalNetworkDriver>().CleanAsync(ct);
            if (deleting && existing.Count > 0)
            {
                await MarkDeletedAsync(services, existing.Select(lb => lb.Id).ToList(), ct);
                await Console.Out.WriteLineAsync($"Marked {existing.Count} load balancer(s) and their amphorae DELETED.");
            }

            await Console.Out.WriteLineAsync("Removed every octavia- namespace, link and network.");
            return 0;
        });
        network.Subcommands.Add(clean);
        return network;
    }

    /// <summary>The local network driver of a tool host, on a migrated database.</summary>
    internal static async Task<LocalNetworkDriver> StartAsync(IConfigurationRoot configuration, CancellationToken cancellationToken) =>
        (await ServicesAsync(configuration, cancellationToken)).GetRequiredService<LocalNetworkDriver>();

    private static async Task<IServiceProvider> ServicesAsync(IConfigurationRoot configuration, CancellationToken cancellationToken)
    {
        var host = OctaviaHost.BuildTool(configuration);
        await host.Services.MigrateOctaviaDbAsync(cancellationToken);
        return host.Services;
    }

    private static async Task<List<LoadBalancer>> LoadBalancersAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<OctaviaDbContext>().LoadBalancers.AsNoTracking()
            .Where(lb => lb.ProvisioningStatus != ProvisioningStatus.Deleted).OrderBy(lb => lb.CreatedAt).ToListAsync(cancellationToken);
    }

    /// <summary>The load balancers and their amphorae DELETED (and OFFLINE), as a delete would leave them; housekeeping purges them later.</summary>
    private static async Task MarkDeletedAsync(IServiceProvider services, List<string> ids, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OctaviaDbContext>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        await db.Amphorae.Where(a => a.LoadBalancerId != null && ids.Contains(a.LoadBalancerId))
            .ExecuteUpdateAsync(x => x.SetProperty(a => a.Status, AmphoraStatus.Deleted).SetProperty(a => a.UpdatedAt, now), cancellationToken);
        await db.LoadBalancers.Where(lb => ids.Contains(lb.Id)).ExecuteUpdateAsync(x => x
            .SetProperty(lb => lb.ProvisioningStatus, ProvisioningStatus.Deleted)
            .SetProperty(lb => lb.OperatingStatus, OperatingStatus.Offline)
            .SetProperty(lb => lb.UpdatedAt, now), cancellationToken);
    }

    private static async Task PrintAsync(LocalNetworkDriver driver, CancellationToken cancellationToken)
    {
        var rows = new List<string[]> { new[] { "network", "network id", "subnet", "subnet id", "cidr", "bridge", "host address" } };
        foreach (var n in await driver.ListAsync(cancellationToken))
        {
            foreach (var s in n.Subnets)
            {
                rows.Add([n.Name, n.Id, s.Name, s.Id, s.Cidr, n.BridgeName, s.HostAddress ?? "-"]);
            }
        }

        await Console.Out.WriteLineAsync(Table(rows));
    }

    /// <summary>What init kept out of the networks the host joins, because the host reaches it through its uplink.</summary>
    private static async Task PrintExcludedAsync(LocalNetworkDriver driver)
    {
        if (!driver.MakesLinks)
        {
            return;
        }

        if (driver.Excluded.Count == 0)
        {
            await Console.Out.WriteLineAsync("No address this host uses through its uplink (DNS servers, package sources) is in a local network's range.");
            return;
        }

        foreach (var e in driver.Excluded)
        {
            await Console.Out.WriteLineAsync(e.HeldBy is null
                ? $"Excluded {e.Address} from {e.Subnet}: {e.Why}, reached through the uplink."
                : $"Warning: {e.Address} ({e.Why}) is in {e.Subnet} but already held by {e.HeldBy}; the host keeps reaching it through the uplink, "
                    + "so that address is unreachable from this host. Delete what holds it.");
        }
    }

    internal static string Table(List<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        return string.Join('\n', rows.Select(r => string.Join("  ", r.Select((c, i) => c.PadRight(widths[i]))).TrimEnd()));
    }
}
