namespace Octavia.Core.Model;

public sealed class L7Policy : IProjectOwned
{
    public required string Id { get; set; }
    public required string ProjectId { get; set; }
    public required string ListenerId { get; set; }
    public string Name { get; set; } = "";
    public string Description { get; set; } = "";
    public required string Action { get; set; }
    public string? RedirectPoolId { get; set; }
    public string? RedirectUrl { get; set; }
    public string? RedirectPrefix { get; set; }
    public int? RedirectHttpCode { get; set; }
    public int Position { get; set; }
    public bool Enabled { get; set; } = true;
    public required string ProvisioningStatus { get; set; }
    public required string OperatingStatus { get; set; }
    public List<string> Tags { get; set; } = [];
    public DateTime CreatedAt { get; set; }
    public DateTime? UpdatedAt { get; set; }

    public Listener? Listener { get; set; }
    public List<L7Rule> Rules { get; set; } = [];
}
