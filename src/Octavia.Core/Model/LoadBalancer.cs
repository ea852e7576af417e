namespace Octavia.Core.Model;

public sealed class LoadBalancer : IProjectOwned
{
    public required string Id { get; set; }
    public required string ProjectId { get; set; }
    public string Name { get; set; } = "";
    public string Description { get; set; } = "";
    public required string ProvisioningStatus { get; set; }
    public required string OperatingStatus { get; set; }
    public bool Enabled { get; set; } = true;
    public string? Topology { get; set; }
    public required string Provider { get; set; }
    public string? FlavorId { get; set; }
    public string? AvailabilityZone { get; set; }
    public string? VipAddress { get; set; }
    public string? VipPortId { get; set; }
    public string? VipSubnetId { get; set; }
    public string? VipNetworkId { get; set; }
    public string? VipQosPolicyId { get; set; }
    public List<string> VipSgIds { get; set; } = [];
    public string VipVnicType { get; set; } = "normal";
    public List<AdditionalVip> AdditionalVips { get; set; } = [];
    public List<string> Tags { get; set; } = [];
    public DateTime CreatedAt { get; set; }
    public DateTime? UpdatedAt { get; set; }

    public List<Listener> Listeners { get; set; } = [];
    public List<Pool> Pools { get; set; } = [];
}

public sealed class AdditionalVip
{
    public required string SubnetId { get; set; }
    public string? IpAddress { get; set; }
    public string? PortId { get; set; }
}
