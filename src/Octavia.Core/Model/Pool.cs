namespace Octavia.Core.Model;

public sealed class Pool : IProjectOwned
{
    public required string Id { get; set; }
    public required string ProjectId { get; set; }
    public required string LoadBalancerId { get; set; }
    public string Name { get; set; } = "";
    public string Description { get; set; } = "";
    public required string ProvisioningStatus { get; set; }
    public required string OperatingStatus { get; set; }
    public bool Enabled { get; set; } = true;
    public required string Protocol { get; set; }
    public required string LbAlgorithm { get; set; }
    public SessionPersistence? SessionPersistence { get; set; }
    public bool TlsEnabled { get; set; }
    public string? TlsContainerRef { get; set; }
    public string? CaTlsContainerRef { get; set; }
    public string? CrlContainerRef { get; set; }
    public string? TlsCiphers { get; set; }
    public List<string>? TlsVersions { get; set; }
    public List<string>? AlpnProtocols { get; set; }
    public List<string> Tags { get; set; } = [];
    public DateTime CreatedAt { get; set; }
    public DateTime? UpdatedAt { get; set; }

    public LoadBalancer? LoadBalancer { get; set; }
    public List<Member> Members { get; set; } = [];
    public HealthMonitor? HealthMonitor { get; set; }
}

/// <summary>Session persistence of a pool (reference/api.md §8.1).</summary>
public sealed class SessionPersistence
{
    public required string Type { get; set; }
    public string? CookieName { get; set; }
    public int? PersistenceTimeout { get; set; }
    public string? PersistenceGranularity { get; set; }
}
