namespace Octavia.Core.Model;

public sealed class L7Rule : IProjectOwned
{
    public required string Id { get; set; }
    public required string ProjectId { get; set; }
    public required string L7PolicyId { get; set; }
    public required string Type { get; set; }
    public required string CompareType { get; set; }
    public string? Key { get; set; }
    public required string Value { get; set; }
    public bool Invert { get; set; }
    public bool Enabled { get; set; } = true;
    public required string ProvisioningStatus { get; set; }
    public required string OperatingStatus { get; set; }
    public List<string> Tags { get; set; } = [];
    public DateTime CreatedAt { get; set; }
    public DateTime? UpdatedAt { get; set; }

    public L7Policy? L7Policy { get; set; }
}
