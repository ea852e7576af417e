using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Octavia.Controller.Flows;
using Octavia.Core.Configuration;
using Octavia.Core.Jobs;
using Octavia.Core.Logging;
using Octavia.Db.Jobs;

namespace Octavia.Controller.Engine;

/// <summary>
/// Runs a claimed job's flow from its checkpoint: each task with bounded retries and backoff, a
/// checkpoint after each, and on final failure the done tasks reverted in reverse order (the failed one
/// first). A lost lease stops the run at once: another worker owns the job now.
/// </summary>
public sealed partial class FlowRunner(
    JobQueue queue,
    FlowBuilder builder,
    IServiceProvider services,
    TimeProvider time,
    IOptions<TaskFlowOptions> options,
    ILogger<FlowRunner> logger)
{
    private static readonly JsonSerializerOptions StateJson = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public Task RunAsync(Job job, string owner, CancellationToken cancellationToken)
    {
        var state = JsonSerializer.Deserialize<FlowState>(job.State, StateJson) ?? new FlowState();
        return RunAsync(job, builder.Build(job.Kind, state), state, owner, cancellationToken);
    }

    /// <summary>Runs <paramref name="flow"/> for <paramref name="job"/> (tests hand in flows of their own).</summary>
    internal async Task RunAsync(Job job, Flow flow, FlowState state, string owner, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var lease = TimeSpan.FromSeconds(settings.JobLeaseSeconds);
        var context = new FlowContext(state, services, time);

        using var leaseLost = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var renewal = RenewLeaseAsync(job.Id, owner, lease, leaseLost);
        try
        {
            var token = leaseLost.Token;
            if (job.Attempts > Math.Max(1, settings.JobMaxAttempts))
            {
                await GiveUpAsync(job, flow, context, owner, settings, token);
                return;
            }

            if (job.Phase == JobPhase.Execute)
            {
                for (var i = job.Step; i < flow.Tasks.Count; i++)
                {
                    var task = flow.Tasks[i];
                    var error = await TryWithRetriesAsync(() => task.ExecuteAsync(context, token), settings, token);
                    if (error is not null)
                    {
                        LogTaskFailed(logger, error, task.Name, flow.Name, job.Id);
                        job.Phase = JobPhase.Revert;
                        job.Step = i;
                        job.LastError = $"{task.Name}: {error.Message}";
                        break;
                    }

                    job.Step = i + 1;
                    job.State = JsonSerializer.Serialize(state, StateJson);
                    if (!await queue.CheckpointAsync(job, owner, lease, token))
                    {
                        LogLeaseLost(logger, job.Id);
                        return;
                    }
                }

                if (job.Phase == JobPhase.Execute)
                {
                    await queue.FinishAsync(job, owner, JobStatus.Done, token);
                    return;
                }

                if (!await queue.CheckpointAsync(job, owner, lease, token))
                {
                    return;
                }
            }

            for (var i = Math.Min(job.Step, flow.Tasks.Count - 1); i >= 0; i--)
            {
                var task = flow.Tasks[i];
                var error = settings.DisableRevert && i > 0
                    ? null
                    : await TryWithRetriesAsync(() => task.RevertAsync(context, token), settings, token);
                if (error is not null)
                {
                    // A revert that keeps failing must not stop the others: the guards at the start of
                    // every flow are what leave objects in ERROR rather than PENDING.
                    LogRevertFailed(logger, error, task.Name, flow.Name, job.Id);
                }

                job.Step = i - 1;
                job.State = JsonSerializer.Serialize(state, StateJson);
                if (!await queue.CheckpointAsync(job, owner, lease, token))
                {
                    return;
                }
            }

            await queue.FinishAsync(job, owner, JobStatus.Failed, token);
        }
        catch (OperationCanceledException) when (leaseLost.IsCancellationRequested)
        {
            // Shutting down or the lease is gone: the job stays claimed until its lease expires, then resumes elsewhere.
        }
        finally
        {
            await leaseLost.CancelAsync();
            await renewal;
        }
    }

    private async Task<Exception?> TryWithRetriesAsync(Func<Task> action, TaskFlowOptions settings, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromSeconds(settings.TaskRetryInitialDelay);
        var max = TimeSpan.FromSeconds(settings.TaskRetryMaxDelay);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await action();
                return null;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                if (e is PermanentTaskException or Core.Drivers.PermanentDriverException || attempt >= Math.Max(1, settings.TaskMaxAttempts))
                {
                    return e;
                }

                await Task.Delay(delay, time, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, max.Ticks));
            }
        }
    }

    /// <summary>
    /// A job claimed more than <c>[task_flow] job_max_attempts</c> times has crashed or lost every worker
    /// that ran it: run no more of it, but revert its guard (the first task of every flow), which leaves its
    /// objects in ERROR as upstream's revert would, and mark it FAILED with the reason.
    /// </summary>
    private async Task GiveUpAsync(Job job, Flow flow, FlowContext context, string owner, TaskFlowOptions settings, CancellationToken token)
    {
        var reason = $"claimed {job.Attempts} times (job_max_attempts = {settings.JobMaxAttempts}); its last error: {job.LastError ?? "none"}";
        LogGaveUp(logger, job.Id, flow.Name, reason);
        if (flow.Tasks.Count > 0)
        {
            var error = await TryWithRetriesAsync(() => flow.Tasks[0].RevertAsync(context, token), settings, token);
            if (error is not null)
            {
                LogRevertFailed(logger, error, flow.Tasks[0].Name, flow.Name, job.Id);
            }
        }

        job.Phase = JobPhase.Revert;
        job.Step = -1;
        job.LastError = "Gave up: " + reason;
        await queue.FinishAsync(job, owner, JobStatus.Failed, token);
    }

    private async Task RenewLeaseAsync(long jobId, string owner, TimeSpan lease, CancellationTokenSource leaseLost)
    {
        using var timer = new PeriodicTimer(lease / 3, time);
        try
        {
            while (await timer.WaitForNextTickAsync(leaseLost.Token))
            {
                if (!await queue.RenewLeaseAsync(jobId, owner, lease, leaseLost.Token))
                {
                    LogLeaseLost(logger, jobId);
                    await leaseLost.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (leaseLost.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // The lease can no longer be trusted to outlive the flow: once it expires another worker may
            // claim the job and run the same side effects. Stop the flow now; the job stays RUNNING (never
            // DONE from here) until its lease expires, then resumes from its last checkpoint.
            LogRenewalFailed(logger, e, jobId);
            await leaseLost.CancelAsync();
        }
    }

    [LoggerMessage(EventId = LogEventIds.FlowRunnerTaskFailed, Level = LogLevel.Warning, Message = "Task {Task} of flow {Flow} (job {JobId}) failed; reverting")]
    private static partial void LogTaskFailed(ILogger logger, Exception exception, string task, string flow, long jobId);

    [LoggerMessage(EventId = LogEventIds.FlowRunnerRevertFailed, Level = LogLevel.Error, Message = "Revert of task {Task} of flow {Flow} (job {JobId}) failed")]
    private static partial void LogRevertFailed(ILogger logger, Exception exception, string task, string flow, long jobId);

    [LoggerMessage(EventId = LogEventIds.FlowRunnerLeaseLost, Level = LogLevel.Warning, Message = "Lost the lease of job {JobId}; another worker will resume it")]
    private static partial void LogLeaseLost(ILogger logger, long jobId);

    [LoggerMessage(EventId = LogEventIds.FlowRunnerRenewalFailed, Level = LogLevel.Error, Message = "Renewing the lease of job {JobId} failed; stopping its flow so that no second worker runs it at the same time")]
    private static partial void LogRenewalFailed(ILogger logger, Exception exception, long jobId);

    [LoggerMessage(EventId = LogEventIds.FlowRunnerGaveUp, Level = LogLevel.Error, Message = "Job {JobId} (flow {Flow}) given up and its objects set to ERROR: {Reason}")]
    private static partial void LogGaveUp(ILogger logger, long jobId, string flow, string reason);
}

/// <summary>A task failure that retrying cannot fix (the flow reverts at once).</summary>
public sealed class PermanentTaskException(string message) : Exception(message);
