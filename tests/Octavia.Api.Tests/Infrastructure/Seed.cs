using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Octavia.Core.Model;
using Octavia.Core.Statuses;
using Octavia.Db;

namespace Octavia.Api.Tests.Infrastructure;

/// <summary>
/// Rows written straight into the fixture's database: parents the API under test needs (listeners,
/// pools) and states that are hard to reach through the API (a PENDING parent, a quota, 50 rules).
/// </summary>
public static class Seed
{
    public static async Task<T> WithDbAsync<T>(this OctaviaFixture fixture, Func<OctaviaDbContext, Task<T>> work)
    {
        await using var scope = fixture.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OctaviaDbContext>();
        var result = await work(db);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return result;
    }

    private static Task<string> ProjectOfAsync(OctaviaDbContext db, string loadBalancerId) =>
        db.LoadBalancers.Where(l => l.Id == loadBalancerId).Select(l => l.ProjectId).FirstAsync(TestContext.Current.CancellationToken);

    /// <summary>An ACTIVE listener of the load balancer; returns its id.</summary>
    public static Task<string> ListenerAsync(this OctaviaFixture fixture, string loadBalancerId, string protocol = "HTTP", int port = 80) =>
        fixture.WithDbAsync(async db =>
        {
            var listener = new Listener
            {
                Id = Guid.NewGuid().ToString(),
                ProjectId = await ProjectOfAsync(db, loadBalancerId),
                LoadBalancerId = loadBalancerId,
                ProvisioningStatus = ProvisioningStatus.Active,
                OperatingStatus = OperatingStatus.Online,
                Protocol = protocol,
                ProtocolPort = port,
                TimeoutClientData = 50000,
                TimeoutMemberConnect = 5000,
                TimeoutMemberData = 50000,
                CreatedAt = DateTime.UtcNow,
            };
            db.Listeners.Add(listener);
            return listener.Id;
        });

    /// <summary>An ACTIVE pool of the load balancer, the default pool of <paramref name="listenerId"/> when given; returns its id.</summary>
    public static Task<string> PoolAsync(this OctaviaFixture fixture, string loadBalancerId, string protocol = "HTTP", string? listenerId = null) =>
        fixture.WithDbAsync(async db =>
        {
            var pool = new Pool
            {
                Id = Guid.NewGuid().ToString(),
                ProjectId = await ProjectOfAsync(db, loadBalancerId),
                LoadBalancerId = loadBalancerId,
                ProvisioningStatus = ProvisioningStatus.Active,
                OperatingStatus = OperatingStatus.Online,
                Protocol = protocol,
                LbAlgorithm = "ROUND_ROBIN",
                CreatedAt = DateTime.UtcNow,
            };
            db.Pools.Add(pool);
            if (listenerId is not null)
            {
                await db.SaveChangesAsync(TestContext.Current.CancellationToken);
                await db.Listeners.Where(l => l.Id == listenerId)
                    .ExecuteUpdateAsync(s => s.SetProperty(l => l.DefaultPoolId, pool.Id), TestContext.Current.CancellationToken);
            }

            return pool.Id;
        });

    /// <summary>An ACTIVE, ONLINE health monitor on the pool; returns its id.</summary>
    public static Task<string> HealthMonitorAsync(this OctaviaFixture fixture, string poolId, string type = "TCP") =>
        fixture.WithDbAsync(async db =>
        {
            var project = await db.Pools.Where(p => p.Id == poolId).Select(p => p.ProjectId).FirstAsync(TestContext.Current.CancellationToken);
            var monitor = new HealthMonitor
            {
                Id = Guid.NewGuid().ToString(),
                ProjectId = project,
                PoolId = poolId,
                Type = type,
                Delay = 5,
                Timeout = 5,
                MaxRetries = 3,
                ProvisioningStatus = ProvisioningStatus.Active,
                OperatingStatus = OperatingStatus.Online,
                CreatedAt = DateTime.UtcNow,
            };
            db.HealthMonitors.Add(monitor);
            return monitor.Id;
        });

    /// <summary>Sets a project's limit for one resource (creating the quota row if needed).</summary>
    public static Task QuotaAsync(this OctaviaFixture fixture, string projectId, Action<Quota> set) =>
        fixture.WithDbAsync(async db =>
        {
            var quota = await db.Quotas.AsTracking().FirstOrDefaultAsync(q => q.ProjectId == projectId, TestContext.Current.CancellationToken);
            if (quota is null)
            {
                quota = new Quota { ProjectId = projectId };
                db.Quotas.Add(quota);
            }

            set(quota);
        });

    public static Task SetLoadBalancerStatusAsync(this OctaviaFixture fixture, string id, string status) =>
        fixture.WithDbAsync(db => db.LoadBalancers.Where(x => x.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.ProvisioningStatus, status), TestContext.Current.CancellationToken));

    public static Task SetPoolStatusAsync(this OctaviaFixture fixture, string id, string status) =>
        fixture.WithDbAsync(db => db.Pools.Where(x => x.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.ProvisioningStatus, status), TestContext.Current.CancellationToken));

    public static Task SetL7PolicyStatusAsync(this OctaviaFixture fixture, string id, string status) =>
        fixture.WithDbAsync(db => db.L7Policies.Where(x => x.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.ProvisioningStatus, status), TestContext.Current.CancellationToken));
}
