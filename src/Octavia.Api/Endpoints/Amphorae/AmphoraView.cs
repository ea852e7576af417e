using System.Linq.Expressions;
using Octavia.Core.Model;
using Octavia.Db;

namespace Octavia.Api.Endpoints.Amphorae;

/// <summary>
/// An amphora row together with the project of its load balancer: the list's <c>project_id</c> filter
/// applies through the load balancer (reference/api.md §4), and filters and sorts need a flat row.
/// </summary>
public sealed class AmphoraView
{
    public required string Id { get; init; }
    public string? LoadBalancerId { get; init; }
    public string? ProjectId { get; init; }
    public string? ComputeId { get; init; }
    public string? LbNetworkIp { get; init; }
    public string? VrrpIp { get; init; }
    public string? HaIp { get; init; }
    public string? VrrpPortId { get; init; }
    public string? HaPortId { get; init; }
    public DateTime? CertExpiration { get; init; }
    public bool CertBusy { get; init; }
    public string? Role { get; init; }
    public required string Status { get; init; }
    public string? VrrpInterface { get; init; }
    public int? VrrpId { get; init; }
    public int? VrrpPriority { get; init; }
    public string? CachedZone { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime? UpdatedAt { get; init; }
    public string? ImageId { get; init; }
    public string? ComputeFlavor { get; init; }

    /// <summary>The amphorae that are not DELETED, as views; EF Core inlines the projection into filters and sorts.</summary>
    public static IQueryable<AmphoraView> Query(OctaviaDbContext db) =>
        db.Amphorae.Where(a => a.Status != Core.Statuses.AmphoraStatus.Deleted).Select(Project(db));

    private static Expression<Func<Amphora, AmphoraView>> Project(OctaviaDbContext db) => a => new AmphoraView
    {
        Id = a.Id,
        LoadBalancerId = a.LoadBalancerId,
        ProjectId = db.LoadBalancers.Where(lb => lb.Id == a.LoadBalancerId).Select(lb => lb.ProjectId).FirstOrDefault(),
        ComputeId = a.ComputeId,
        LbNetworkIp = a.LbNetworkIp,
        VrrpIp = a.VrrpIp,
        HaIp = a.HaIp,
        VrrpPortId = a.VrrpPortId,
        HaPortId = a.HaPortId,
        CertExpiration = a.CertExpiration,
        CertBusy = a.CertBusy,
        Role = a.Role,
        Status = a.Status,
        VrrpInterface = a.VrrpInterface,
        VrrpId = a.VrrpId,
        VrrpPriority = a.VrrpPriority,
        CachedZone = a.CachedZone,
        CreatedAt = a.CreatedAt,
        UpdatedAt = a.UpdatedAt,
        ImageId = a.ImageId,
        ComputeFlavor = a.ComputeFlavor,
    };
}
