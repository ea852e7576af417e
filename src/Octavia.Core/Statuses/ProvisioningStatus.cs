namespace Octavia.Core.Statuses;

/// <summary>Values of <c>provisioning_status</c> (reference/api.md §5.1), plus the amphora-only values.</summary>
public static class ProvisioningStatus
{
    public const string Active = "ACTIVE";
    public const string PendingCreate = "PENDING_CREATE";
    public const string PendingUpdate = "PENDING_UPDATE";
    public const string PendingDelete = "PENDING_DELETE";
    public const string Deleted = "DELETED";
    public const string Error = "ERROR";

    public static readonly IReadOnlyList<string> All =
        [Active, PendingCreate, PendingUpdate, PendingDelete, Deleted, Error];

    public static bool IsPending(string status) => status.StartsWith("PENDING_", StringComparison.Ordinal);
}
