namespace Octavia.Core.Model;

public sealed class Listener : IProjectOwned
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
    public int ProtocolPort { get; set; }
    public int ConnectionLimit { get; set; } = -1;
    public string? DefaultPoolId { get; set; }
    public string? DefaultTlsContainerRef { get; set; }
    public List<string> SniContainerRefs { get; set; } = [];
    public string? ClientCaTlsContainerRef { get; set; }
    public string ClientAuthentication { get; set; } = "NONE";
    public string? ClientCrlContainerRef { get; set; }
    public Dictionary<string, string> InsertHeaders { get; set; } = [];
    public int TimeoutClientData { get; set; }
    public int TimeoutMemberConnect { get; set; }
    public int TimeoutMemberData { get; set; }
    public int TimeoutTcpInspect { get; set; }
    public List<string>? AllowedCidrs { get; set; }
    public string? TlsCiphers { get; set; }
    public List<string>? TlsVersions { get; set; }
    public List<string>? AlpnProtocols { get; set; }
    public int? HstsMaxAge { get; set; }
    public bool HstsIncludeSubdomains { get; set; }
    public bool HstsPreload { get; set; }
    public List<string> Tags { get; set; } = [];
    public DateTime CreatedAt { get; set; }
    public DateTime? UpdatedAt { get; set; }

    public LoadBalancer? LoadBalancer { get; set; }
    public List<L7Policy> L7Policies { get; set; } = [];
}
