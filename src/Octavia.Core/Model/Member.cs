namespace Octavia.Core.Model;

public sealed class Member : IProjectOwned
{
    public required string Id { get; set; }
    public required string ProjectId { get; set; }
    public required string PoolId { get; set; }
    public string Name { get; set; } = "";
    public required string ProvisioningStatus { get; set; }
    public required string OperatingStatus { get; set; }
    public bool Enabled { get; set; } = true;
    public required string Address { get; set; }
    public int ProtocolPort { get; set; }
    public int Weight { get; set; } = 1;
    public bool Backup { get; set; }
    public string? SubnetId { get; set; }
    public string? MonitorAddress { get; set; }
    public int? MonitorPort { get; set; }
    public string VnicType { get; set; } = "normal";
    public List<string> Tags { get; set; } = [];
    public DateTime CreatedAt { get; set; }
    public DateTime? UpdatedAt { get; set; }

    public Pool? Pool { get; set; }
}
