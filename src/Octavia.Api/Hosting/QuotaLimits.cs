using Microsoft.EntityFrameworkCore;
using Octavia.Core.Configuration;
using Octavia.Core.Model;
using Octavia.Core.Statuses;
using Octavia.Db;

namespace Octavia.Api.Hosting;

public enum QuotaResource
{
    LoadBalancer,
    Listener,
    Pool,
    HealthMonitor,
    Member,
    L7Policy,
    L7Rule,
}

/// <summary>Quota arithmetic shared by the quota endpoints and the checks on create.</summary>
public static class QuotaLimits
{
    public static int? Stored(Quota quota, QuotaResource resource) => resource switch
    {
        QuotaResource.LoadBalancer => quota.LoadBalancer,
        QuotaResource.Listener => quota.Listener,
        QuotaResource.Pool => quota.Pool,
        QuotaResource.HealthMonitor => quota.HealthMonitor,
        QuotaResource.Member => quota.Member,
        QuotaResource.L7Policy => quota.L7Policy,
        _ => quota.L7Rule,
    };

    public static int Default(QuotaOptions defaults, QuotaResource resource) => resource switch
    {
        QuotaResource.LoadBalancer => defaults.DefaultLoadBalancerQuota,
        QuotaResource.Listener => defaults.DefaultListenerQuota,
        QuotaResource.Pool => defaults.DefaultPoolQuota,
        QuotaResource.HealthMonitor => defaults.DefaultHealthMonitorQuota,
        QuotaResource.Member => defaults.DefaultMemberQuota,
        QuotaResource.L7Policy => defaults.DefaultL7PolicyQuota,
        _ => defaults.DefaultL7RuleQuota,
    };

    public static int Effective(Quota quota, QuotaOptions defaults, QuotaResource resource) =>
        Stored(quota, resource) ?? Default(defaults, resource);

    /// <summary>Upstream's resource names in "Quota has been met for resources: …".</summary>
    public static string DisplayName(QuotaResource resource) => resource switch
    {
        QuotaResource.LoadBalancer => "Load Balancer",
        QuotaResource.HealthMonitor => "Health Monitor",
        QuotaResource.L7Policy => "L7 Policy",
        QuotaResource.L7Rule => "L7 Rule",
        _ => resource.ToString(),
    };

    public static Task<int> CountInUseAsync(OctaviaDbContext db, string projectId, QuotaResource resource, CancellationToken cancellationToken) => resource switch
    {
        QuotaResource.LoadBalancer => db.LoadBalancers.CountAsync(x => x.ProjectId == projectId && x.ProvisioningStatus != ProvisioningStatus.Deleted, cancellationToken),
        QuotaResource.Listener => db.Listeners.CountAsync(x => x.ProjectId == projectId, cancellationToken),
        QuotaResource.Pool => db.Pools.CountAsync(x => x.ProjectId == projectId, cancellationToken),
        QuotaResource.HealthMonitor => db.HealthMonitors.CountAsync(x => x.ProjectId == projectId, cancellationToken),
        QuotaResource.Member => db.Members.CountAsync(x => x.ProjectId == projectId, cancellationToken),
        QuotaResource.L7Policy => db.L7Policies.CountAsync(x => x.ProjectId == projectId, cancellationToken),
        _ => db.L7Rules.CountAsync(x => x.ProjectId == projectId, cancellationToken),
    };
}
