namespace Octavia.Core.Jobs;

/// <summary>
/// The typed state a flow carries from task to task and stores at every checkpoint. The API fills the
/// identifiers of the objects the request touched; tasks add what they produce (for example the new
/// amphora of a failover).
/// </summary>
public sealed class FlowState
{
    public string? LoadBalancerId { get; set; }
    public string? ListenerId { get; set; }
    public string? PoolId { get; set; }
    public string? MemberId { get; set; }
    public string? HealthMonitorId { get; set; }
    public string? L7PolicyId { get; set; }
    public string? L7RuleId { get; set; }
    public string? AmphoraId { get; set; }

    /// <summary>Delete every child of the load balancer too.</summary>
    public bool Cascade { get; set; }

    /// <summary>Batch member update: members to create, update and delete.</summary>
    public List<string>? CreatedMemberIds { get; set; }
    public List<string>? UpdatedMemberIds { get; set; }
    public List<string>? DeletedMemberIds { get; set; }

    /// <summary>Amphorae built by this flow (create, failover), so a revert can remove them.</summary>
    public List<string>? NewAmphoraIds { get; set; }

    /// <summary>Amphorae this flow retires (failover).</summary>
    public List<string>? OldAmphoraIds { get; set; }
}
