namespace Octavia.Core.Model;

public sealed class HealthMonitor : IProjectOwned
{
    public required string Id { get; set; }
    public required string ProjectId { get; set; }
    public required string PoolId { get; set; }
    public string Name { get; set; } = "";
    public required string Type { get; set; }
    public int Delay { get; set; }
    public int Timeout { get; set; }
    public int MaxRetries { get; set; }
    public int MaxRetriesDown { get; set; } = 3;
    public string? HttpMethod { get; set; }
    public string? UrlPath { get; set; }
    public string? ExpectedCodes { get; set; }
    public double? HttpVersion { get; set; }
    public string? DomainName { get; set; }
    public bool Enabled { get; set; } = true;
    public required string ProvisioningStatus { get; set; }
    public required string OperatingStatus { get; set; }
    public List<string> Tags { get; set; } = [];
    public DateTime CreatedAt { get; set; }
    public DateTime? UpdatedAt { get; set; }

    public Pool? Pool { get; set; }
}
