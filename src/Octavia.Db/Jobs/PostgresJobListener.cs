using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Octavia.Core.Logging;

namespace Octavia.Db.Jobs;

/// <summary>
/// Turns PostgreSQL <c>NOTIFY octavia_jobs</c> (sent by any API process after it commits a job) into
/// in-process <see cref="JobSignal"/> wake-ups for this process's workers. Reconnects after failures;
/// workers still poll, so a lost notification only delays a job by one poll interval.
/// </summary>
public sealed partial class PostgresJobListener(DatabaseTarget target, JobSignal signal, ILogger<PostgresJobListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!target.IsPostgres)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(target.ConnectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, _) => signal.Notify();
                await using (var command = new NpgsqlCommand("LISTEN " + JobQueue.NotifyChannel, connection))
                {
                    await command.ExecuteNonQueryAsync(stoppingToken);
                }

                signal.Notify();
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
            {
                LogListenFailed(logger, e);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    [LoggerMessage(EventId = LogEventIds.PostgresJobListenerListenFailed, Level = LogLevel.Warning, Message = "Listening for job notifications failed; retrying")]
    private static partial void LogListenFailed(ILogger logger, Exception exception);
}
