using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Octavia.Core.Logging;

namespace Octavia.Housekeeping;

/// <summary>
/// One housekeeping job on a timer (reference/controller.md §5): a pass at start, then one per interval. A
/// pass that throws is logged and the loop carries on with the next, as upstream's housekeeping threads do.
/// A pass that leaves work over (more than it may start at once) has the next one come soon.
/// </summary>
public abstract partial class HousekeepingLoop(TimeProvider time, ILogger logger) : BackgroundService
{
    /// <summary>The wait before the next pass when the last one left work over.</summary>
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(1);

    /// <summary>The clock every expiry is measured on.</summary>
    protected TimeProvider Time { get; } = time;

    /// <summary>What the job is called in the log.</summary>
    protected abstract string Job { get; }

    /// <summary>The configured wait between two passes.</summary>
    protected abstract TimeSpan Interval { get; }

    /// <summary>One pass; true when work was left over.</summary>
    protected abstract Task<bool> PassAsync(CancellationToken cancellationToken);

    /// <summary>Waits until the next pass is due; a loop with a wake-up signal may return earlier.</summary>
    protected virtual Task WaitAsync(TimeSpan delay, CancellationToken cancellationToken) => Task.Delay(delay, Time, cancellationToken);

    /// <summary>An interval option (seconds, fractions allowed so that tests can run fast) as a wait.</summary>
    protected static TimeSpan Seconds(double seconds) => TimeSpan.FromSeconds(Math.Max(0.001, seconds));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            var more = false;
            try
            {
                more = await PassAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogPassFailed(logger, e, Job);
            }

            try
            {
                var interval = Interval;
                await WaitAsync(more && Soon < interval ? Soon : interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(EventId = LogEventIds.HousekeepingLoopPassFailed, Level = LogLevel.Error, Message = "Housekeeping: {Job} failed; trying again at the next interval")]
    private static partial void LogPassFailed(ILogger logger, Exception exception, string job);
}
