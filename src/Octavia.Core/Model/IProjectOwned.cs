namespace Octavia.Core.Model;

/// <summary>The columns every load-balancing object shares: identity, owner, status and audit times.</summary>
public interface IProjectOwned
{
    string Id { get; }
    string ProjectId { get; }
    string ProvisioningStatus { get; set; }
    string OperatingStatus { get; set; }
    DateTime CreatedAt { get; }
    DateTime? UpdatedAt { get; set; }
}
