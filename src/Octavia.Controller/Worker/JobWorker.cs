using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Octavia.Controller.Engine;
using Octavia.Core.Configuration;
using Octavia.Core.Logging;
using Octavia.Db.Jobs;

namespace Octavia.Controller.Worker;

/// <summary>
/// The worker role: claims jobs (up to <c>[task_flow] max_workers</c> at a time) and runs their flows.
/// Wakes on an in-process signal or PostgreSQL NOTIFY, and polls as a fallback.
/// </summary>
public sealed partial class JobWorker(
    JobQueue queue,
    JobSignal signal,
    FlowRunner runner,
    IOptions<TaskFlowOptions> options,
    IOptions<DefaultOptions> defaults,
    ILogger<JobWorker> logger) : BackgroundService
{
    private readonly string _owner = $"{defaults.Value.Host}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var lease = TimeSpan.FromSeconds(settings.JobLeaseSeconds);
        var poll = TimeSpan.FromSeconds(settings.JobPollInterval);
        var slots = new SemaphoreSlim(Math.Max(1, settings.MaxWorkers));
        var running = new List<Task>();
        LogStarted(logger, _owner);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var claimedAny = false;
                while (await slots.WaitAsync(0, stoppingToken))
                {
                    var job = await queue.ClaimAsync(_owner, lease, stoppingToken);
                    if (job is null)
                    {
                        slots.Release();
                        break;
                    }

                    claimedAny = true;
                    running.Add(Task.Run(async () =>
                    {
                        try
                        {
                            await runner.RunAsync(job, _owner, stoppingToken);
                        }
                        catch (Exception e) when (e is not OperationCanceledException)
                        {
                            LogRunFailed(logger, e, job.Id);
                        }
                        finally
                        {
                            slots.Release();
                            signal.Notify();
                        }
                    }, CancellationToken.None));
                }

                running.RemoveAll(t => t.IsCompleted);
                if (!claimedAny)
                {
                    await signal.WaitAsync(poll, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                LogClaimFailed(logger, e);
                await Task.Delay(poll, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        await Task.WhenAll(running);
    }

    [LoggerMessage(EventId = LogEventIds.JobWorkerStarted, Level = LogLevel.Information, Message = "Worker {Owner} started")]
    private static partial void LogStarted(ILogger logger, string owner);

    [LoggerMessage(EventId = LogEventIds.JobWorkerRunFailed, Level = LogLevel.Error, Message = "Job {JobId} stopped with an unexpected error")]
    private static partial void LogRunFailed(ILogger logger, Exception exception, long jobId);

    [LoggerMessage(EventId = LogEventIds.JobWorkerClaimFailed, Level = LogLevel.Warning, Message = "Claiming jobs failed; retrying")]
    private static partial void LogClaimFailed(ILogger logger, Exception exception);
}
