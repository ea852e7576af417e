namespace Octavia.Core.Model;

/// <summary>A project's limits; null means "the deployment default" (reference/controller.md §8).</summary>
public sealed class Quota
{
    public required string ProjectId { get; set; }
    public int? LoadBalancer { get; set; }
    public int? Listener { get; set; }
    public int? Pool { get; set; }
    public int? HealthMonitor { get; set; }
    public int? Member { get; set; }
    public int? L7Policy { get; set; }
    public int? L7Rule { get; set; }
}
