namespace Octavia.Health;

/// <summary>Why the health manager did not use a datagram.</summary>
public enum HeartbeatDrop
{
    TooShort,
    TooLarge,
    BadSignature,
    BadCompression,
    TooLargeDecompressed,
    Malformed,
    Replayed,

    /// <summary>The processing queue was full: the health manager is behind.</summary>
    Overloaded,
}

/// <summary>
/// Counters of the heartbeat path, read by the periodic log line (and by tests and bench/health). Every
/// datagram is counted exactly once: accepted or dropped for one reason.
/// </summary>
public sealed class HeartbeatMetrics
{
    private long _received;
    private long _accepted;
    private long _processed;
    private long _batches;
    private long _failedBatches;
    private long _failed;
    private readonly long[] _dropped = new long[Enum.GetValues<HeartbeatDrop>().Length];

    public long Received => Interlocked.Read(ref _received);

    /// <summary>Verified, well-formed, new heartbeats handed to the processor.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Heartbeats whose batch was written to the database.</summary>
    public long Processed => Interlocked.Read(ref _processed);

    public long Batches => Interlocked.Read(ref _batches);

    public long FailedBatches => Interlocked.Read(ref _failedBatches);

    /// <summary>Heartbeats whose batch could not be written.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    public long Dropped(HeartbeatDrop reason) => Interlocked.Read(ref _dropped[(int)reason]);

    public long DroppedTotal => Enum.GetValues<HeartbeatDrop>().Sum(Dropped);

    private long _firstReceivedTicks;
    private long _lastProcessedTicks;

    internal void CountReceived()
    {
        if (Interlocked.Increment(ref _received) == 1)
        {
            Interlocked.Exchange(ref _firstReceivedTicks, Environment.TickCount64);
        }
    }

    /// <summary>Heartbeats written per second, from the first datagram received to the last batch written.</summary>
    public double ProcessedPerSecond
    {
        get
        {
            var span = Interlocked.Read(ref _lastProcessedTicks) - Interlocked.Read(ref _firstReceivedTicks);
            return span > 0 ? Processed * 1000.0 / span : 0;
        }
    }

    internal void CountAccepted() => Interlocked.Increment(ref _accepted);

    internal void CountDropped(HeartbeatDrop reason) => Interlocked.Increment(ref _dropped[(int)reason]);

    internal void CountBatch(int heartbeats)
    {
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _processed, heartbeats);
        Interlocked.Exchange(ref _lastProcessedTicks, Environment.TickCount64);
    }

    internal void CountFailedBatch(int heartbeats)
    {
        Interlocked.Increment(ref _failedBatches);
        Interlocked.Add(ref _failed, heartbeats);
    }

    /// <summary>One line: totals, then each drop reason that occurred.</summary>
    public string Describe()
    {
        var drops = Enum.GetValues<HeartbeatDrop>().Where(r => Dropped(r) > 0).Select(r => $"{r} {Dropped(r)}");
        return $"received {Received}, accepted {Accepted}, processed {Processed} in {Batches} batches ({FailedBatches} failed), "
            + $"dropped {DroppedTotal}" + (DroppedTotal > 0 ? $" ({string.Join(", ", drops)})" : "")
            + FormattableString.Invariant($"; {ProcessedPerSecond:F0} processed/s since the first");
    }
}
