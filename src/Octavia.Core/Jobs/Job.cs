namespace Octavia.Core.Jobs;

/// <summary>
/// One unit of durable work: written by the API in the same transaction as the PENDING_* status
/// change it belongs to (the outbox), claimed by a worker under a lease, checkpointed after each task.
/// </summary>
public sealed class Job
{
    public long Id { get; set; }

    /// <summary>The flow to run, e.g. <c>loadbalancer.create</c> (see <see cref="JobKinds"/>).</summary>
    public required string Kind { get; set; }

    /// <summary>The flow's typed state, serialized as JSON; rewritten at every checkpoint.</summary>
    public required string State { get; set; }

    public string Status { get; set; } = JobStatus.Pending;

    /// <summary>Forward (executing) or reverting.</summary>
    public string Phase { get; set; } = JobPhase.Execute;

    /// <summary>Index of the next task to execute, or of the next task to revert when reverting.</summary>
    public int Step { get; set; }

    public int Attempts { get; set; }
    public string? LeaseOwner { get; set; }
    public DateTime? LeaseExpiresAt { get; set; }
    public string? LastError { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? UpdatedAt { get; set; }
}

public static class JobStatus
{
    public const string Pending = "PENDING";
    public const string Running = "RUNNING";
    public const string Done = "DONE";
    public const string Failed = "FAILED";
}

public static class JobPhase
{
    public const string Execute = "EXECUTE";
    public const string Revert = "REVERT";
}
