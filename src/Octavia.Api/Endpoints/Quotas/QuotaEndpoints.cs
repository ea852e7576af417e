using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Octavia.Api.Faults;
using Octavia.Api.Hosting;
using Octavia.Api.Json;
using Octavia.Api.Paging;
using Octavia.Core.Configuration;
using Octavia.Core.Model;
using Octavia.Db;

namespace Octavia.Api.Endpoints.Quotas;

/// <summary><c>/v2/lbaas/quotas</c> (reference/api.md §12).</summary>
public static class QuotaEndpoints
{
    /// <summary>Upstream accepts both spellings of the two renamed keys (the misspelled ones deprecated in Rocky).</summary>
    private static readonly HashSet<string> PutAttributes =
        ["loadbalancer", "load_balancer", "listener", "pool", "healthmonitor", "health_monitor", "member", "l7policy", "l7rule"];

    private const int MinQuota = -1;
    private const int MaxQuota = 2000000000;

    private static readonly ResourceAttributes<Quota> Attributes = new(new Dictionary<string, string>
    {
        ["project_id"] = "ProjectId",
        // Upstream accepts every attribute of its data model as a filter: parent ids and model names too.
        ["load_balancer"] = "LoadBalancer",
        ["loadbalancer"] = "LoadBalancer",
        ["listener"] = "Listener",
        ["pool"] = "Pool",
        ["health_monitor"] = "HealthMonitor",
        ["healthmonitor"] = "HealthMonitor",
        ["member"] = "Member",
        ["l7policy"] = "L7Policy",
        ["l7rule"] = "L7Rule",
    });

    public static void Map(IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/v2/lbaas/quotas");
        group.MapGet("", ListAsync);
        group.MapGet("/{projectId}", GetAsync);

        // GET /quotas/defaults (the documented path) needs nothing special: it is the project "defaults",
        // which has no row, so it answers the defaults as upstream does (reference/api.md §16).
        group.MapGet("/{projectId}/default", (string projectId, HttpContext http, IOptions<QuotaOptions> defaults) =>
        {
            ApiRequest.Authorize(http, "quota:get_defaults", projectId);
            return JsonResult.Single(200, "quota", w => QuotaJson.WriteEffective(w, null, defaults.Value));
        });
        group.MapPut("/{projectId}", UpdateAsync);
        group.MapDelete("/{projectId}", DeleteAsync);
    }

    private static async Task<IResult> ListAsync(HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken)
    {
        var source = ApiRequest.Listable(http, "quota", db.Quotas, q => q.ProjectId);
        var page = await Listing.FetchAsync(http, source, Attributes, id => source.Where(q => q.ProjectId == id), cancellationToken);
        return Listing.Respond(http, page, "quotas", "quotas_links", x => x.ProjectId, (w, quota, fields) => QuotaJson.WriteStored(w, quota, fields));
    }

    private static async Task<IResult> GetAsync(string projectId, HttpContext http, OctaviaDbContext db, IOptions<QuotaOptions> defaults, CancellationToken cancellationToken)
    {
        ApiRequest.Authorize(http, "quota:get_one", projectId);
        var quota = await db.Quotas.FirstOrDefaultAsync(q => q.ProjectId == projectId, cancellationToken);
        return JsonResult.Single(200, "quota", w => QuotaJson.WriteEffective(w, quota, defaults.Value));
    }

    private static async Task<IResult> UpdateAsync(string projectId, HttpContext http, WriteScope scope, IOptions<QuotaOptions> defaults,
        CancellationToken cancellationToken)
    {
        var body = JsonBody.Parse(await ApiRequest.ReadBodyAsync(http), "quota", PutAttributes);
        var values = new Dictionary<QuotaResource, int?>();

        // The current spelling wins over the deprecated one when a request sends both (upstream's to_dict).
        void Read(QuotaResource resource, params string[] names)
        {
            foreach (var name in names)
            {
                var value = body.Int(name, MinQuota, MaxQuota);
                if (value.Present)
                {
                    values[resource] = value.Value;
                }
            }
        }

        Read(QuotaResource.LoadBalancer, "load_balancer", "loadbalancer");
        Read(QuotaResource.Listener, "listener");
        Read(QuotaResource.Pool, "pool");
        Read(QuotaResource.HealthMonitor, "health_monitor", "healthmonitor");
        Read(QuotaResource.Member, "member");
        Read(QuotaResource.L7Policy, "l7policy");
        Read(QuotaResource.L7Rule, "l7rule");
        ApiRequest.Authorize(http, "quota:put", projectId);

        var quota = await scope.RunAsync(async s =>
        {
            var row = await s.Db.Quotas.AsTracking().FirstOrDefaultAsync(q => q.ProjectId == projectId, cancellationToken);
            if (row is null)
            {
                row = new Quota { ProjectId = projectId };
                s.Db.Quotas.Add(row);
            }

            foreach (var (resource, value) in values)
            {
                Set(row, resource, value);
            }

            return row;
        }, cancellationToken);
        return JsonResult.Single(202, "quota", w => QuotaJson.WriteEffective(w, quota, defaults.Value));
    }

    private static async Task<IResult> DeleteAsync(string projectId, HttpContext http, WriteScope scope, CancellationToken cancellationToken)
    {
        ApiRequest.Authorize(http, "quota:delete", projectId);
        await scope.RunAsync(async s =>
        {
            var row = await s.Db.Quotas.AsTracking().FirstOrDefaultAsync(q => q.ProjectId == projectId, cancellationToken)
                ?? throw ApiException.NotFound("Quotas", projectId);
            foreach (var resource in Enum.GetValues<QuotaResource>())
            {
                Set(row, resource, null);
            }

            return true;
        }, cancellationToken);
        return Results.StatusCode(202);
    }

    private static void Set(Quota quota, QuotaResource resource, int? value)
    {
        switch (resource)
        {
            case QuotaResource.LoadBalancer: quota.LoadBalancer = value; break;
            case QuotaResource.Listener: quota.Listener = value; break;
            case QuotaResource.Pool: quota.Pool = value; break;
            case QuotaResource.HealthMonitor: quota.HealthMonitor = value; break;
            case QuotaResource.Member: quota.Member = value; break;
            case QuotaResource.L7Policy: quota.L7Policy = value; break;
            default: quota.L7Rule = value; break;
        }
    }
}
