using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Octavia.Api.Tests.Infrastructure;
using Octavia.Core.Model;
using Octavia.Core.Statuses;
using Octavia.Db;
using Octavia.Db.Stores;
using Octavia.Housekeeping;

namespace Octavia.Api.Tests.Housekeeping;

/// <summary>
/// The spare amphora pool (reference/controller.md §4) on each database, with a compute driver that boots at
/// once: housekeeping keeps two READY spares, a load balancer create takes one instead of booting, the pool
/// refills, and a spare that does not answer when taken is deleted instead of used.
/// </summary>
public abstract class SpareAmphoraPoolTests(HousekeepingFixture fixture)
{
    private const int PoolSize = 2;

    private Task<List<Core.Model.Amphora>> ReadySparesAsync() => fixture.WithDbAsync(db =>
        db.Amphorae.Where(a => a.LoadBalancerId == null && a.Status == AmphoraStatus.Ready).ToListAsync(TestContext.Current.CancellationToken));

    private async Task<List<Core.Model.Amphora>> WaitForFullPoolAsync()
    {
        List<Core.Model.Amphora> spares = [];
        await HousekeepingFixture.WaitUntilAsync(async () => (spares = await ReadySparesAsync()).Count >= PoolSize, $"{PoolSize} spares are READY");
        return spares;
    }

    private Task<Core.Model.Amphora> AmphoraOfAsync(string lbId) => fixture.WithDbAsync(db =>
        db.Amphorae.SingleAsync(a => a.LoadBalancerId == lbId && a.Status != AmphoraStatus.Deleted, TestContext.Current.CancellationToken));

    [Fact]
    public async Task Pool_FillsToItsSize_WithBootedReadyAmphoraeWithoutVip()
    {
        var spares = await WaitForFullPoolAsync();

        Assert.All(spares, s =>
        {
            Assert.NotNull(s.ComputeId);
            Assert.NotNull(s.LbNetworkIp);
            Assert.NotNull(s.CertExpiration);
            Assert.Null(s.Role);
            Assert.Null(s.VrrpIp);
            Assert.Contains(s.Id, fixture.Compute.Built);
            Assert.DoesNotContain(s.Id, fixture.Amphorae.Plugged);
        });

        // A full pool orders nothing more, however often it is checked.
        Assert.Equal(0, await fixture.Services.GetRequiredService<SpareAmphoraPool>().FillAsync(TestContext.Current.CancellationToken));
        var inPool = await fixture.WithDbAsync(db => SpareAmphorae.InPool(db).CountAsync(TestContext.Current.CancellationToken));
        Assert.Equal(PoolSize, inPool);
    }

    [Fact]
    public async Task LoadBalancerCreate_TakesAReadySpare_ThenThePoolRefills()
    {
        var spares = (await WaitForFullPoolAsync()).Select(s => s.Id).ToHashSet();
        var builds = fixture.Compute.Built.Count;

        var lbId = await fixture.Client.CreateLoadBalancerAsync("from-spare");

        var amphora = await AmphoraOfAsync(lbId);
        Assert.Contains(amphora.Id, spares);
        Assert.Equal(AmphoraStatus.Allocated, amphora.Status);
        Assert.Equal(AmphoraStatus.RoleStandalone, amphora.Role);
        Assert.Contains(amphora.Id, fixture.Amphorae.Plugged);
        var shown = await fixture.Client.ApiGetAsync($"/v2/octavia/amphorae/{amphora.Id}");
        Assert.Equal(lbId, shown.Json["amphora"]!["loadbalancer_id"]!.GetValue<string>());

        // Its replacement is ordered at once (the flow wakes housekeeping) and booted.
        var refilled = await WaitForFullPoolAsync();
        Assert.DoesNotContain(amphora.Id, refilled.Select(s => s.Id));
        Assert.True(fixture.Compute.Built.Count > builds);
    }

    [Fact]
    public async Task TakenSpareThatDoesNotAnswer_IsDeleted_AndTheLoadBalancerGetsAnAmphoraThatDoes()
    {
        var spares = await WaitForFullPoolAsync();
        foreach (var spare in spares)
        {
            fixture.Amphorae.Silent[spare.Id] = true;
        }

        var lbId = await fixture.Client.CreateLoadBalancerAsync("silent-spares");

        var amphora = await AmphoraOfAsync(lbId);
        Assert.DoesNotContain(amphora.Id, spares.Select(s => s.Id));
        Assert.Equal(AmphoraStatus.Allocated, amphora.Status);
        foreach (var spare in spares)
        {
            await HousekeepingFixture.WaitUntilAsync(
                async () => await fixture.WithDbAsync(db => db.Amphorae.AnyAsync(a => a.Id == spare.Id && a.Status == AmphoraStatus.Deleted && a.LoadBalancerId == null,
                    TestContext.Current.CancellationToken)),
                $"the silent spare {spare.Id} is DELETED");
            Assert.Contains(spare.ComputeId!, fixture.Compute.Deleted);
        }

        await WaitForFullPoolAsync();
    }

    [Fact]
    public async Task LoadBalancerDelete_RemovesTheAmphoraThatWasASpare()
    {
        await WaitForFullPoolAsync();
        var lbId = await fixture.Client.CreateLoadBalancerAsync("spare-then-deleted");
        var amphora = await AmphoraOfAsync(lbId);

        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Client.ApiDeleteAsync($"/v2/lbaas/loadbalancers/{lbId}")).Status);
        await fixture.Client.WaitForStableAsync($"/v2/lbaas/loadbalancers/{lbId}", "loadbalancer");

        await HousekeepingFixture.WaitUntilAsync(() => Task.FromResult(fixture.Compute.Deleted.Contains(amphora.ComputeId!)), "the amphora's compute instance is deleted");
        Assert.Equal(AmphoraStatus.Deleted,
            await fixture.WithDbAsync(db => db.Amphorae.Where(a => a.Id == amphora.Id).Select(a => a.Status).SingleAsync(TestContext.Current.CancellationToken)));
    }
}

public sealed class SpareAmphoraPoolSqliteTests(SparePoolSqliteFixture fixture) : SpareAmphoraPoolTests(fixture), IClassFixture<SparePoolSqliteFixture>;

public sealed class SpareAmphoraPoolPostgresTests(SparePoolPostgresFixture fixture) : SpareAmphoraPoolTests(fixture), IClassFixture<SparePoolPostgresFixture>;

/// <summary>Taking spares directly from the store, on each database: racing flows never get the same spare.</summary>
public abstract class SpareAmphoraeClaimTests(OctaviaFixture fixture)
{
    [Fact]
    public async Task Claim_EightFlowsRaceForFiveSpares_EachSpareTakenExactlyOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        var spares = await fixture.WithDbAsync(db =>
        {
            var ids = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid().ToString()).ToList();
            db.Amphorae.AddRange(ids.Select(id => new Core.Model.Amphora { Id = id, Status = AmphoraStatus.Ready, CreatedAt = DateTime.UtcNow, ComputeId = "c-" + id }));
            return Task.FromResult(ids);
        });

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            var lbId = $"racer-{i}";
            var taken = new List<string>();
            while (true)
            {
                await using var scope = fixture.Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<OctaviaDbContext>();
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                var spare = await SpareAmphorae.ClaimAsync(db, lbId, AmphoraStatus.RoleStandalone, DateTime.UtcNow, ct);
                await transaction.CommitAsync(ct);
                if (spare is null)
                {
                    return (LoadBalancerId: lbId, Taken: taken);
                }

                Assert.Equal(lbId, spare.LoadBalancerId);
                Assert.Equal(AmphoraStatus.Booting, spare.Status);
                taken.Add(spare.Id);
            }
        }, ct)));

        var all = claims.SelectMany(c => c.Taken).ToList();
        Assert.Equal(spares.Order(), all.Order());
        var rows = await fixture.WithDbAsync(db => db.Amphorae.Where(a => spares.Contains(a.Id)).ToListAsync(ct));
        foreach (var (lbId, taken) in claims)
        {
            Assert.All(taken, id => Assert.Equal(lbId, rows.Single(r => r.Id == id).LoadBalancerId));
        }
    }

    [Fact]
    public async Task Claim_SkipsAmphoraeThatAreNotReadySpares()
    {
        var ct = TestContext.Current.CancellationToken;
        await fixture.WithDbAsync(db =>
        {
            db.Amphorae.Add(new Core.Model.Amphora { Id = Guid.NewGuid().ToString(), Status = AmphoraStatus.PendingCreate, CreatedAt = DateTime.UtcNow });
            db.Amphorae.Add(new Core.Model.Amphora { Id = Guid.NewGuid().ToString(), Status = AmphoraStatus.Error, CreatedAt = DateTime.UtcNow });
            db.Amphorae.Add(new Core.Model.Amphora { Id = Guid.NewGuid().ToString(), Status = AmphoraStatus.Ready, LoadBalancerId = "someone", CreatedAt = DateTime.UtcNow });
            return Task.CompletedTask;
        });

        await using var scope = fixture.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OctaviaDbContext>();
        Assert.Null(await SpareAmphorae.ClaimAsync(db, "nobody", null, DateTime.UtcNow, ct));
    }
}

public sealed class SpareAmphoraeClaimSqliteTests(SqliteFixture fixture) : SpareAmphoraeClaimTests(fixture), IClassFixture<SqliteFixture>;

public sealed class SpareAmphoraeClaimPostgresTests(PostgresFixture fixture) : SpareAmphoraeClaimTests(fixture), IClassFixture<PostgresFixture>;

/// <summary>With the no-op compute driver (as the API tests run) housekeeping keeps no spares, whatever the pool size says.</summary>
public sealed class NoopSparePoolFixture : OctaviaFixture
{
    protected override bool UsePostgres => false;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["house_keeping:spare_amphora_pool_size"] = "2",
        ["house_keeping:spare_check_interval"] = "0.1",
    };
}

public sealed class NoopSparePoolTests(NoopSparePoolFixture fixture) : IClassFixture<NoopSparePoolFixture>
{
    [Fact]
    public async Task Fill_NoopCompute_OrdersNoSpare()
    {
        Assert.Equal(0, await fixture.Services.GetRequiredService<SpareAmphoraPool>().FillAsync(TestContext.Current.CancellationToken));
        var lbId = await fixture.Client.CreateLoadBalancerAsync("noop");
        Assert.Equal(0, await fixture.WithDbAsync(db => db.Amphorae.CountAsync(a => a.LoadBalancerId == null, TestContext.Current.CancellationToken)));
        Assert.Equal(0, await fixture.WithDbAsync(db => db.Jobs.CountAsync(j => j.Kind == Core.Jobs.JobKinds.AmphoraCreateSpare, TestContext.Current.CancellationToken)));
        Assert.NotNull(lbId);
    }
}
