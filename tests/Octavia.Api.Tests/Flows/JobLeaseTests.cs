using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Octavia.Controller.Engine;
using Octavia.Controller.Flows;
using Octavia.Controller.Tasks;
using Octavia.Core.Configuration;
using Octavia.Core.Jobs;
using Octavia.Core.Statuses;
using Octavia.Db;
using Octavia.Db.Jobs;

namespace Octavia.Api.Tests.Flows;

/// <summary>
/// The job engine's safety rules on a real SQLite database: a lease that cannot be renewed stops the flow
/// (so no second worker runs the same side effects) and a job claimed too often is given up with its objects
/// in ERROR.
/// </summary>
public sealed class JobLeaseTests : IAsyncLifetime
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("octavia-lease-");
    private ServiceProvider _services = null!;

    private JobQueue Queue => _services.GetRequiredService<JobQueue>();

    private FlowRunner Runner => _services.GetRequiredService<FlowRunner>();

    public async ValueTask InitializeAsync()
    {
        var configuration = OctaviaConfiguration.Build(null, new Dictionary<string, string?>
        {
            ["DEFAULT:state_path"] = _directory.FullName,
            ["database:connection"] = "",
            ["task_flow:job_lease_seconds"] = "0.3",
            ["task_flow:job_max_attempts"] = "2",
            ["task_flow:task_max_attempts"] = "1",
        });
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddOctaviaDb(configuration);
        services.AddOptions<TaskFlowOptions>().Bind(configuration.GetSection(TaskFlowOptions.SectionName));
        services.AddSingleton<FlowBuilder>();
        services.AddSingleton<FlowRunner>();
        _services = services.BuildServiceProvider();
        await _services.MigrateOctaviaDbAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task RenewalFails_FlowIsCancelled_JobNotDone_AnotherWorkerResumesAfterExpiry()
    {
        var ct = TestContext.Current.CancellationToken;
        var job = await AddAndClaimAsync("w1", new FlowState());

        // Every renewal (and checkpoint) of a RUNNING job now fails in the database itself.
        await SqlAsync("CREATE TRIGGER octavia_test_fail_renewal BEFORE UPDATE OF lease_expires_at ON jobs " +
            "WHEN NEW.status = 'RUNNING' BEGIN SELECT RAISE(ABORT, 'injected renewal failure'); END");

        var taskCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocking = new FlowTask("BlockUntilCancelled", async (_, token) =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, token);
            }
            catch (OperationCanceledException)
            {
                taskCancelled.TrySetResult();
                throw;
            }
        });

        await Runner.RunAsync(job, new Flow("test.block", [blocking]), new FlowState(), "w1", ct).WaitAsync(TimeSpan.FromSeconds(30), ct);

        Assert.True(taskCancelled.Task.IsCompleted, "the running task was not cancelled when its lease could not be renewed");
        var stored = await JobAsync(job.Id);
        Assert.Equal(JobStatus.Running, stored.Status);
        Assert.Equal("w1", stored.LeaseOwner);

        // Once the lease has run out, another worker claims the job and resumes it from its checkpoint.
        await SqlAsync("DROP TRIGGER octavia_test_fail_renewal");
        Job? resumed = null;
        await Housekeeping.HousekeepingFixture.WaitUntilAsync(async () =>
            (resumed = await Queue.ClaimAsync("w2", TimeSpan.FromSeconds(30), ct)) is not null, "a second worker claims the job");
        Assert.Equal(job.Id, resumed!.Id);
        Assert.Equal(2, resumed.Attempts);
    }

    [Fact]
    public async Task ClaimedMoreThanMaxAttempts_GivesUp_ObjectsErrorAndJobFailed_WithoutRunningTasks()
    {
        var ct = TestContext.Current.CancellationToken;
        var amphoraId = Guid.NewGuid().ToString();
        await using (var scope = _services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OctaviaDbContext>();
            db.Amphorae.Add(new Core.Model.Amphora { Id = amphoraId, Status = AmphoraStatus.PendingDelete, CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync(ct);
        }

        var state = new FlowState { AmphoraId = amphoraId };
        var job = await AddAndClaimAsync("w1", state);
        var ran = 0;
        var crashing = new FlowTask("CrashesItsWorker", (_, _) =>
        {
            Interlocked.Increment(ref ran);
            return Task.CompletedTask;
        });
        var flow = new Flow("test.crash", [DatabaseTasks.AmphoraToErrorOnRevert(), crashing]);

        // Two workers claimed it and died (attempts 1 and 2); the third claim is over job_max_attempts = 2.
        await SqlAsync($"UPDATE jobs SET lease_expires_at = '2000-01-01 00:00:00', last_error = 'worker died' WHERE id = {job.Id}");
        job = await Queue.ClaimAsync("w2", TimeSpan.FromSeconds(30), ct);
        await SqlAsync($"UPDATE jobs SET lease_expires_at = '2000-01-01 00:00:00' WHERE id = {job!.Id}");
        job = await Queue.ClaimAsync("w3", TimeSpan.FromSeconds(30), ct);
        Assert.Equal(3, job!.Attempts);

        await Runner.RunAsync(job, flow, state, "w3", ct);

        Assert.Equal(0, ran);
        var stored = await JobAsync(job.Id);
        Assert.Equal(JobStatus.Failed, stored.Status);
        Assert.Contains("claimed 3 times", stored.LastError, StringComparison.Ordinal);
        await using (var scope = _services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OctaviaDbContext>();
            var amphora = await db.Amphorae.AsNoTracking().SingleAsync(a => a.Id == amphoraId, ct);
            Assert.Equal(AmphoraStatus.Error, amphora.Status);
        }

        // A FAILED job is never claimed again.
        Assert.Null(await Queue.ClaimAsync("w4", TimeSpan.FromSeconds(30), ct));
    }

    private async Task<Job> AddAndClaimAsync(string owner, FlowState state)
    {
        var ct = TestContext.Current.CancellationToken;
        await using (var scope = _services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OctaviaDbContext>();
            Queue.Add(db, "test.job", state);
            await db.SaveChangesAsync(ct);
        }

        var lease = TimeSpan.FromSeconds(_services.GetRequiredService<Microsoft.Extensions.Options.IOptions<TaskFlowOptions>>().Value.JobLeaseSeconds);
        return await Queue.ClaimAsync(owner, lease, ct) ?? throw new InvalidOperationException("no job to claim");
    }

    private async Task<Job> JobAsync(long id)
    {
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OctaviaDbContext>();
        return await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == id, TestContext.Current.CancellationToken);
    }

    private async Task SqlAsync(string sql)
    {
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OctaviaDbContext>();
        await db.Database.ExecuteSqlRawAsync(sql, TestContext.Current.CancellationToken);
    }
}
