namespace Octavia.Db.Jobs;

/// <summary>
/// In-process wake-up for workers: set when a job is committed by an API in the same process
/// (SQLite has no LISTEN/NOTIFY). Workers in other processes fall back to polling.
/// </summary>
public sealed class JobSignal
{
    private readonly SemaphoreSlim _semaphore = new(0, int.MaxValue);

    public void Notify() => _semaphore.Release();

    /// <summary>Waits for a notification or the timeout, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (await _semaphore.WaitAsync(timeout, cancellationToken))
        {
            // Coalesce a burst of notifications into one wake-up.
            while (_semaphore.CurrentCount > 0 && _semaphore.Wait(0, CancellationToken.None))
            {
            }
        }
    }
}
