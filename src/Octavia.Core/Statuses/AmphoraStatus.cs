namespace Octavia.Core.Statuses;

/// <summary>Amphora <c>status</c> and <c>role</c> values (reference/api.md §5.1).</summary>
public static class AmphoraStatus
{
    public const string Booting = "BOOTING";
    public const string Allocated = "ALLOCATED";
    public const string Ready = "READY";
    public const string PendingCreate = "PENDING_CREATE";
    public const string PendingDelete = "PENDING_DELETE";
    public const string Deleted = "DELETED";
    public const string Error = "ERROR";
    public const string FailoverStopped = "FAILOVER_STOPPED";

    public const string RoleStandalone = "STANDALONE";
    public const string RoleMaster = "MASTER";
    public const string RoleBackup = "BACKUP";
}
