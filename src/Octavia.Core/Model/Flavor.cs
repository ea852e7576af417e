namespace Octavia.Core.Model;

public sealed class Flavor
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public string Description { get; set; } = "";
    public bool Enabled { get; set; } = true;
    public required string FlavorProfileId { get; set; }
}

public sealed class FlavorProfile
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public required string ProviderName { get; set; }
    public required string FlavorData { get; set; }
}

public sealed class AvailabilityZone
{
    public required string Name { get; set; }
    public string Description { get; set; } = "";
    public bool Enabled { get; set; } = true;
    public required string AvailabilityZoneProfileId { get; set; }
}

public sealed class AvailabilityZoneProfile
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public required string ProviderName { get; set; }
    public required string AvailabilityZoneData { get; set; }
}
