using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Octavia.Api.Tests.Infrastructure;
using Octavia.Core.Jobs;
using Octavia.Core.Model;
using Octavia.Core.Statuses;
using Octavia.Housekeeping;

namespace Octavia.Api.Tests.Housekeeping;

/// <summary>
/// Amphora certificate rotation (reference/controller.md §3.12, §5) on each database: which amphorae are due,
/// the flow that uploads a new certificate and stores its expiry, a failed upload, and the limit of
/// <c>cert_rotate_threads</c> (2 in the fixture) rotations at once.
/// </summary>
public abstract class CertificateRotationTests(HousekeepingFixture fixture)
{
    private CertificateRotation Rotation => fixture.Services.GetRequiredService<CertificateRotation>();

    private Task<RotationPass> PassAsync() => Rotation.StartRotationsAsync(TestContext.Current.CancellationToken);

    private Task<Core.Model.Amphora> AmphoraAsync(string id) =>
        fixture.WithDbAsync(db => db.Amphorae.SingleAsync(a => a.Id == id, TestContext.Current.CancellationToken));

    /// <summary>An ALLOCATED amphora of a new load balancer whose certificate expires in <paramref name="expiresIn"/>.</summary>
    private async Task<string> AllocatedAmphoraAsync(TimeSpan expiresIn)
    {
        var lbId = await fixture.Client.CreateLoadBalancerAsync("rotation");
        var id = await fixture.WithDbAsync(db => db.Amphorae.Where(a => a.LoadBalancerId == lbId).Select(a => a.Id).SingleAsync(TestContext.Current.CancellationToken));
        await SetExpiryAsync(id, expiresIn);
        return id;
    }

    private Task SetExpiryAsync(string id, TimeSpan expiresIn) => fixture.WithDbAsync(db => db.Amphorae.Where(a => a.Id == id)
        .ExecuteUpdateAsync(s => s.SetProperty(a => a.CertExpiration, DateTime.UtcNow + expiresIn), TestContext.Current.CancellationToken));

    private Task<string> PlantedAmphoraAsync(string status, TimeSpan expiresIn, bool busy = false) => fixture.WithDbAsync(db =>
    {
        var id = Guid.NewGuid().ToString();
        db.Amphorae.Add(new Core.Model.Amphora { Id = id, Status = status, CertBusy = busy, CertExpiration = DateTime.UtcNow + expiresIn, CreatedAt = DateTime.UtcNow });
        return Task.FromResult(id);
    });

    private Task WaitNotBusyAsync(string id) => HousekeepingFixture.WaitUntilAsync(async () => !(await AmphoraAsync(id)).CertBusy, $"amphora {id} is no longer rotating");

    /// <summary>Every rotation started before this test, finished, so that the room for new ones is known.</summary>
    private Task WaitForQuietAsync() => HousekeepingFixture.WaitUntilAsync(
        async () => await fixture.WithDbAsync(db => db.Jobs.CountAsync(j => j.Kind == JobKinds.AmphoraCertRotate
            && j.Status != JobStatus.Done && j.Status != JobStatus.Failed, TestContext.Current.CancellationToken)) == 0,
        "earlier rotations finished");

    [Fact]
    public async Task Pass_DueAmphora_NewCertificateUploadedAndItsExpiryStored()
    {
        await WaitForQuietAsync();
        var due = await AllocatedAmphoraAsync(TimeSpan.FromDays(3));
        var before = await AmphoraAsync(due);

        var pass = await PassAsync();

        Assert.True(pass.Started >= 1, pass.ToString());
        Assert.True((await AmphoraAsync(due)).CertBusy);
        await WaitNotBusyAsync(due);
        var after = await AmphoraAsync(due);
        Assert.True(after.CertExpiration > DateTime.UtcNow.AddDays(29), $"{after.CertExpiration:O}");
        Assert.Equal(before.Status, after.Status);
        Assert.Single(fixture.Amphorae.Certificates, c => c.AmphoraId == due);
    }

    [Fact]
    public async Task Pass_AmphoraeNotDue_DeletedOrAlreadyRotating_LeftAlone()
    {
        await WaitForQuietAsync();
        var later = await AllocatedAmphoraAsync(TimeSpan.FromDays(20));
        var deleted = await PlantedAmphoraAsync(AmphoraStatus.Deleted, TimeSpan.FromDays(1));
        var deleting = await PlantedAmphoraAsync(AmphoraStatus.PendingDelete, TimeSpan.FromDays(1));
        var rotating = await PlantedAmphoraAsync(AmphoraStatus.Allocated, TimeSpan.FromDays(1), busy: true);

        await PassAsync();

        Assert.False((await AmphoraAsync(later)).CertBusy);
        Assert.False((await AmphoraAsync(deleted)).CertBusy);
        Assert.False((await AmphoraAsync(deleting)).CertBusy);
        var jobs = await fixture.WithDbAsync(db => db.Jobs.Where(j => j.Kind == JobKinds.AmphoraCertRotate).Select(j => j.State).ToListAsync(TestContext.Current.CancellationToken));
        Assert.DoesNotContain(jobs, s => s.Contains(later, StringComparison.Ordinal) || s.Contains(deleted, StringComparison.Ordinal)
            || s.Contains(deleting, StringComparison.Ordinal) || s.Contains(rotating, StringComparison.Ordinal));

        // Not counted as running any more once its flag is cleared, so the next pass is free to start others.
        await fixture.WithDbAsync(db => db.Amphorae.Where(a => a.Id == rotating).ExecuteDeleteAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Rotation_AgentRefusesTheCertificate_AmphoraUnchangedAndFreeForTheNextPass()
    {
        await WaitForQuietAsync();
        var refused = await AllocatedAmphoraAsync(TimeSpan.FromDays(2));
        fixture.Amphorae.RefusesCertificate[refused] = true;
        var before = await AmphoraAsync(refused);

        await PassAsync();
        await WaitNotBusyAsync(refused);

        var after = await AmphoraAsync(refused);
        Assert.Equal(AmphoraStatus.Allocated, after.Status);
        Assert.Equal(before.CertExpiration, after.CertExpiration);
        var job = await fixture.WithDbAsync(db => db.Jobs.Where(j => j.Kind == JobKinds.AmphoraCertRotate && j.State.Contains(refused))
            .SingleAsync(TestContext.Current.CancellationToken));
        Assert.Equal(JobStatus.Failed, job.Status);

        // Due still, it is picked again by the next pass; this time the agent takes the certificate.
        fixture.Amphorae.RefusesCertificate.TryRemove(refused, out _);
        await PassAsync();
        await WaitNotBusyAsync(refused);
        Assert.True((await AmphoraAsync(refused)).CertExpiration > DateTime.UtcNow.AddDays(29));
    }

    [Fact]
    public async Task Pass_MoreDueThanThreads_AtMostThreadsRotateAtOnce_TheRestLater()
    {
        await WaitForQuietAsync();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fixture.Amphorae.CertificateGate = gate;
        try
        {
            var due = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                due.Add(await AllocatedAmphoraAsync(TimeSpan.FromDays(1 + i)));
            }

            var first = await PassAsync();
            Assert.Equal(2, first.Started);
            Assert.True(first.Left >= 1, first.ToString());
            var second = await PassAsync();
            Assert.Equal(0, second.Started);

            gate.SetResult();
            await WaitForQuietAsync();
            var third = await PassAsync();
            Assert.True(third.Started >= 1, third.ToString());
            foreach (var id in due)
            {
                await WaitNotBusyAsync(id);
                Assert.True((await AmphoraAsync(id)).CertExpiration > DateTime.UtcNow.AddDays(29));
            }
        }
        finally
        {
            fixture.Amphorae.CertificateGate = null;
            gate.TrySetResult();
        }
    }
}

public sealed class CertificateRotationSqliteTests(RotationSqliteFixture fixture) : CertificateRotationTests(fixture), IClassFixture<RotationSqliteFixture>;

public sealed class CertificateRotationPostgresTests(RotationPostgresFixture fixture) : CertificateRotationTests(fixture), IClassFixture<RotationPostgresFixture>;
