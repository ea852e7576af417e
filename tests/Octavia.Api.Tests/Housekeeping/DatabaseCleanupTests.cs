using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Octavia.Api.Tests.Infrastructure;
using Octavia.Core.Model;
using Octavia.Core.Statuses;
using Octavia.Housekeeping;

namespace Octavia.Api.Tests.Housekeeping;

/// <summary>
/// Housekeeping's purge of deleted rows (reference/controller.md §5) on each database, with the upstream
/// expiry ages (7 days): rows are planted with their ages, then one cleanup pass runs.
/// </summary>
public abstract class DatabaseCleanupTests(OctaviaFixture fixture)
{
    private static readonly TimeSpan LongAgo = TimeSpan.FromDays(8);
    private static readonly TimeSpan Recently = TimeSpan.FromDays(6);

    private DatabaseCleanup Cleanup => fixture.Services.GetRequiredService<DatabaseCleanup>();

    private Task<CleanupResult> PurgeAsync() => Cleanup.PurgeAsync(TestContext.Current.CancellationToken);

    private Task<bool> AmphoraExistsAsync(string id) => fixture.WithDbAsync(db => db.Amphorae.AnyAsync(a => a.Id == id, TestContext.Current.CancellationToken));

    private Task<bool> HealthExistsAsync(string id) =>
        fixture.WithDbAsync(db => db.AmphoraHealth.AnyAsync(h => h.AmphoraId == id, TestContext.Current.CancellationToken));

    private Task<string> AmphoraAsync(string status, TimeSpan age, TimeSpan? heartbeatAge = null) => fixture.WithDbAsync(db =>
    {
        var id = Guid.NewGuid().ToString();
        var at = DateTime.UtcNow - age;
        db.Amphorae.Add(new Core.Model.Amphora { Id = id, Status = status, CreatedAt = at - TimeSpan.FromDays(1), UpdatedAt = at });
        if (heartbeatAge is { } h)
        {
            db.AmphoraHealth.Add(new AmphoraHealth { AmphoraId = id, LastUpdate = DateTime.UtcNow - h });
        }

        return Task.FromResult(id);
    });

    /// <summary>A port held by <paramref name="deviceId"/> with one address, on a network of its own; returns the port id.</summary>
    private Task<string> PortAsync(string deviceId) => fixture.WithDbAsync(db =>
    {
        var network = new Network { Id = Guid.NewGuid().ToString(), Name = "cleanup-net", ProjectId = "p", BridgeName = "octavia-btest", CreatedAt = DateTime.UtcNow };
        var subnet = new Subnet
        {
            Id = Guid.NewGuid().ToString(),
            NetworkId = network.Id,
            Name = "cleanup-subnet",
            ProjectId = "p",
            Cidr = "192.0.2.0/24",
            AllocationStart = "192.0.2.2",
            AllocationEnd = "192.0.2.254",
            CreatedAt = DateTime.UtcNow,
        };
        var portId = Guid.NewGuid().ToString();
        network.Subnets.Add(subnet);
        db.Networks.Add(network);
        db.Ports.Add(new Port
        {
            Id = portId,
            NetworkId = network.Id,
            ProjectId = "p",
            MacAddress = "fa:16:3e:00:00:01",
            DeviceId = deviceId,
            DeviceOwner = "compute:octavia",
            FixedIps = [new IpAllocation { PortId = portId, SubnetId = subnet.Id, IpAddress = "192.0.2.77" }],
            CreatedAt = DateTime.UtcNow,
        });
        return Task.FromResult(portId);
    });

    private Task<(bool Port, bool Address)> PortExistsAsync(string portId) => fixture.WithDbAsync(async db =>
        (await db.Ports.AnyAsync(p => p.Id == portId, TestContext.Current.CancellationToken),
         await db.IpAllocations.AnyAsync(a => a.PortId == portId, TestContext.Current.CancellationToken)));

    [Fact]
    public async Task Purge_AmphoraDeletedLongAgo_RowHealthRowAndPortsGone()
    {
        var silent = await AmphoraAsync(AmphoraStatus.Deleted, LongAgo);
        var stale = await AmphoraAsync(AmphoraStatus.Deleted, LongAgo, heartbeatAge: LongAgo);
        var port = await PortAsync(stale);

        await PurgeAsync();

        // What is gone, not how many this pass counted: the fixture's own housekeeping pass (at start)
        // may take some rows first.
        Assert.False(await AmphoraExistsAsync(silent));
        Assert.False(await AmphoraExistsAsync(stale));
        Assert.False(await HealthExistsAsync(stale));
        Assert.Equal((false, false), await PortExistsAsync(port));
    }

    [Fact]
    public async Task Purge_DeletedAmphoraStillHeartbeating_Kept()
    {
        // A zombie: its row says DELETED but its heartbeats still arrive; its rows are how it is recognised.
        var zombie = await AmphoraAsync(AmphoraStatus.Deleted, LongAgo, heartbeatAge: TimeSpan.FromSeconds(5));

        await PurgeAsync();

        Assert.True(await AmphoraExistsAsync(zombie));
        Assert.True(await HealthExistsAsync(zombie));
    }

    [Fact]
    public async Task Purge_AmphoraDeletedRecentlyOrNotDeleted_Kept()
    {
        var recent = await AmphoraAsync(AmphoraStatus.Deleted, Recently);
        var broken = await AmphoraAsync(AmphoraStatus.Error, LongAgo);
        var spare = await AmphoraAsync(AmphoraStatus.Ready, LongAgo);

        await PurgeAsync();

        Assert.True(await AmphoraExistsAsync(recent));
        Assert.True(await AmphoraExistsAsync(broken));
        Assert.True(await AmphoraExistsAsync(spare));
    }

    /// <summary>A load balancer with a listener, pools, members, a monitor and an L7 policy with a rule, all ACTIVE; returns its id.</summary>
    private async Task<string> GraphAsync(string name) =>
        await fixture.Client.CreateLoadBalancerAsync(name, """
            , "listeners": [{"protocol": "HTTP", "protocol_port": 80, "default_pool": {"name": "p1"},
                             "l7policies": [{"action": "REJECT", "rules": [{"type": "PATH", "compare_type": "STARTS_WITH", "value": "/x"}]}]}],
              "pools": [{"name": "p1", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN",
                         "healthmonitor": {"type": "HTTP", "delay": 5, "timeout": 3, "max_retries": 2},
                         "members": [{"address": "192.0.2.10", "protocol_port": 80}]}]
            """);

    /// <summary>Marks the load balancer DELETED <paramref name="age"/> ago, its children left in place (as a delete that never reached them would).</summary>
    private Task MarkDeletedAsync(string id, TimeSpan age) => fixture.WithDbAsync(db =>
        db.LoadBalancers.Where(lb => lb.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(lb => lb.ProvisioningStatus, ProvisioningStatus.Deleted)
            .SetProperty(lb => lb.UpdatedAt, DateTime.UtcNow - age), TestContext.Current.CancellationToken));

    private Task<int> RowsOfAsync(string lbId) => fixture.WithDbAsync(async db =>
    {
        var ct = TestContext.Current.CancellationToken;
        return await db.LoadBalancers.CountAsync(lb => lb.Id == lbId, ct)
            + await db.Listeners.CountAsync(l => l.LoadBalancerId == lbId, ct)
            + await db.Pools.CountAsync(p => p.LoadBalancerId == lbId, ct)
            + await db.Members.CountAsync(m => m.Pool!.LoadBalancerId == lbId, ct)
            + await db.HealthMonitors.CountAsync(h => h.Pool!.LoadBalancerId == lbId, ct)
            + await db.L7Policies.CountAsync(p => p.Listener!.LoadBalancerId == lbId, ct)
            + await db.L7Rules.CountAsync(r => r.L7Policy!.Listener!.LoadBalancerId == lbId, ct)
            + await db.ListenerStatistics.CountAsync(s => db.Listeners.Any(l => l.Id == s.ListenerId && l.LoadBalancerId == lbId), ct);
    });

    private Task<string> ListenerOfAsync(string lbId) =>
        fixture.WithDbAsync(db => db.Listeners.Where(l => l.LoadBalancerId == lbId).Select(l => l.Id).FirstAsync(TestContext.Current.CancellationToken));

    private Task StatisticsAsync(string listenerId) => fixture.WithDbAsync(db =>
    {
        db.ListenerStatistics.Add(new ListenerStatistics { ListenerId = listenerId, AmphoraId = Guid.NewGuid().ToString(), BytesIn = 1 });
        return Task.CompletedTask;
    });

    private Task<bool> StatisticsExistAsync(string listenerId) =>
        fixture.WithDbAsync(db => db.ListenerStatistics.AnyAsync(s => s.ListenerId == listenerId, TestContext.Current.CancellationToken));

    [Fact]
    public async Task Purge_LoadBalancerDeletedLongAgo_GoneWithChildrenStatisticsAndVipPort()
    {
        var lbId = await GraphAsync("purged");
        var listenerId = await ListenerOfAsync(lbId);
        await StatisticsAsync(listenerId);
        var vipPort = await PortAsync(lbId);
        Assert.Equal(1 + 1 + 1 + 1 + 1 + 1 + 1 + 1, await RowsOfAsync(lbId));
        await MarkDeletedAsync(lbId, LongAgo);

        await PurgeAsync();

        Assert.Equal(0, await RowsOfAsync(lbId));
        Assert.False(await StatisticsExistAsync(listenerId));
        Assert.Equal((false, false), await PortExistsAsync(vipPort));
    }

    [Fact]
    public async Task Purge_LoadBalancerDeletedRecentlyOrActive_Kept()
    {
        var recent = await GraphAsync("recently-deleted");
        await MarkDeletedAsync(recent, Recently);
        var active = await GraphAsync("old-but-active");
        await fixture.WithDbAsync(db => db.LoadBalancers.Where(lb => lb.Id == active)
            .ExecuteUpdateAsync(s => s.SetProperty(lb => lb.UpdatedAt, DateTime.UtcNow - LongAgo), TestContext.Current.CancellationToken));
        var before = (await RowsOfAsync(recent), await RowsOfAsync(active));

        await PurgeAsync();

        Assert.Equal(before, (await RowsOfAsync(recent), await RowsOfAsync(active)));
        Assert.Equal(ProvisioningStatus.Active, (await fixture.Client.ApiGetAsync($"/v2/lbaas/loadbalancers/{active}")).Json["loadbalancer"]!["provisioning_status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Purge_FinishedJobsOlderThanJobExpiryAge_GoneUnfinishedOrRecentKept()
    {
        var ct = TestContext.Current.CancellationToken;
        var ids = await fixture.WithDbAsync(async db =>
        {
            Core.Jobs.Job Plant(string status, TimeSpan age, bool updated = true)
            {
                var at = DateTime.UtcNow - age;
                var job = new Core.Jobs.Job
                {
                    Kind = "test.purge",
                    State = "{}",
                    Status = status,
                    CreatedAt = at - TimeSpan.FromMinutes(1),
                    UpdatedAt = updated ? at : null,
                };
                db.Jobs.Add(job);
                return job;
            }

            var jobs = new[]
            {
                Plant(Core.Jobs.JobStatus.Done, LongAgo), Plant(Core.Jobs.JobStatus.Failed, LongAgo), Plant(Core.Jobs.JobStatus.Done, LongAgo, updated: false),
                Plant(Core.Jobs.JobStatus.Done, Recently), Plant(Core.Jobs.JobStatus.Failed, Recently),
                Plant(Core.Jobs.JobStatus.Running, LongAgo), Plant(Core.Jobs.JobStatus.Pending, LongAgo),
            };
            await db.SaveChangesAsync(ct);
            return jobs.Select(j => j.Id).ToArray();
        });

        var result = await PurgeAsync();

        var left = await fixture.WithDbAsync(db => db.Jobs.Where(j => ids.Contains(j.Id)).Select(j => j.Id).ToListAsync(ct));
        Assert.Equal(ids[3..], left.Order());
        Assert.True(result.Jobs >= 3, $"purged {result.Jobs} jobs");
    }

    [Fact]
    public async Task Purge_StatisticsOfAListenerThatIsGone_RemovedOthersKept()
    {
        var lbId = await GraphAsync("stats");
        var live = await ListenerOfAsync(lbId);
        await StatisticsAsync(live);
        var gone = Guid.NewGuid().ToString();
        await StatisticsAsync(gone);

        await PurgeAsync();

        Assert.True(await StatisticsExistAsync(live));
        Assert.False(await StatisticsExistAsync(gone));
    }
}

public sealed class DatabaseCleanupSqliteTests(SqliteFixture fixture) : DatabaseCleanupTests(fixture), IClassFixture<SqliteFixture>;

public sealed class DatabaseCleanupPostgresTests(PostgresFixture fixture) : DatabaseCleanupTests(fixture), IClassFixture<PostgresFixture>;
