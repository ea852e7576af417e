using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Octavia.Api.Faults;
using Octavia.Api.Hosting;
using Octavia.Api.Json;
using Octavia.Api.Paging;
using Octavia.Core.Jobs;
using Octavia.Core.Model;
using Octavia.Core.Statuses;
using Octavia.Db;

namespace Octavia.Api.Endpoints.HealthMonitors;

/// <summary><c>/v2/lbaas/healthmonitors</c> (reference/api.md §10).</summary>
public static class HealthMonitorEndpoints
{
    internal static readonly ResourceAttributes<HealthMonitor> Attributes = new(new Dictionary<string, string>
    {
        ["id"] = "Id",
        ["name"] = "Name",
        ["type"] = "Type",
        ["delay"] = "Delay",
        ["timeout"] = "Timeout",
        ["max_retries"] = "MaxRetries",
        ["max_retries_down"] = "MaxRetriesDown",
        ["http_method"] = "HttpMethod",
        ["url_path"] = "UrlPath",
        ["expected_codes"] = "ExpectedCodes",
        ["admin_state_up"] = "Enabled",
        ["project_id"] = "ProjectId",
        ["tenant_id"] = "ProjectId",
        ["pool_id"] = "PoolId",
        ["provisioning_status"] = "ProvisioningStatus",
        ["operating_status"] = "OperatingStatus",
        ["created_at"] = "CreatedAt",
        ["updated_at"] = "UpdatedAt",
        ["http_version"] = "HttpVersion",
        ["domain_name"] = "DomainName",
        // Upstream accepts every attribute of its data model as a filter: parent ids and model names too.
        ["enabled"] = "Enabled",
        ["rise_threshold"] = "MaxRetries",
        ["fall_threshold"] = "MaxRetriesDown",
    });

    public static void Map(IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/v2/lbaas/healthmonitors");
        group.MapGet("", ListAsync);
        group.MapPost("", CreateAsync);
        group.MapGet("/{id}", GetAsync);
        group.MapPut("/{id}", UpdateAsync);
        group.MapDelete("/{id}", DeleteAsync);
    }

    private static async Task<HealthMonitor> FindAsync(OctaviaDbContext db, string id, CancellationToken cancellationToken) =>
        await db.HealthMonitors.FirstOrDefaultAsync(h => h.Id == id, cancellationToken) ?? throw ApiException.NotFound("Health Monitor", id);

    private static async Task<Pool> FindPoolAsync(OctaviaDbContext db, string poolId, CancellationToken cancellationToken) =>
        await db.Pools.FirstOrDefaultAsync(p => p.Id == poolId, cancellationToken) ?? throw ApiException.NotFound("Pool", poolId);

    private static async Task<IResult> ListAsync(HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken)
    {
        var source = ApiRequest.Listable(http, "healthmonitor", db.HealthMonitors, h => h.ProjectId);
        var page = await Listing.FetchAsync(http, source, Attributes, id => source.Where(h => h.Id == id), cancellationToken);
        return Listing.Respond(http, page, "healthmonitors", "healthmonitors_links", x => x.Id, (w, monitor, fields) => HealthMonitorJson.Write(w, monitor, fields));
    }

    private static async Task<IResult> GetAsync(string id, HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken)
    {
        var monitor = await FindAsync(db, id, cancellationToken);
        ApiRequest.Authorize(http, "healthmonitor:get_one", monitor.ProjectId);
        var fields = ListQuery.ParseFields(http.Request.Query, ApiRequest.Settings(http));
        return JsonResult.Single(200, "healthmonitor", w => HealthMonitorJson.Write(w, monitor, fields));
    }

    /// <summary>Load balancer, then pool, then the pool's listeners: the fixed lock order of every monitor change.</summary>
    private static async Task LockParentsAsync(WriteScope s, Pool pool, CancellationToken cancellationToken)
    {
        await s.LockLoadBalancerForChildAsync(pool.LoadBalancerId, cancellationToken);
        await s.LockPoolAsync(pool.Id, ProvisioningStatus.PendingUpdate, cancellationToken);
        await s.MarkListenersPendingUpdateAsync(await s.ListenersOfPoolAsync(pool.Id, cancellationToken), cancellationToken);
    }

    private static async Task<IResult> CreateAsync(HttpContext http, WriteScope scope, CancellationToken cancellationToken)
    {
        var context = ApiRequest.Context(http);
        var settings = ApiRequest.Settings(http);
        var body = JsonBody.Parse(await ApiRequest.ReadBodyAsync(http), "healthmonitor", HealthMonitorRequests.PostAttributes);
        var monitor = HealthMonitorRequests.ParsePost(body, requirePoolId: true, scope.Now);

        var pool = await FindPoolAsync(scope.Db, monitor.PoolId, cancellationToken);
        ApiRequest.Authorize(http, "healthmonitor:post", pool.ProjectId);
        HealthMonitorRequests.CheckPool(monitor, pool.Protocol, settings);
        monitor.ProjectId = await scope.Db.LoadBalancers.Where(l => l.Id == pool.LoadBalancerId).Select(l => l.ProjectId).FirstAsync(cancellationToken);

        await scope.RunAsync(async s =>
        {
            await s.CheckQuotaAsync(context, monitor.ProjectId, QuotaResource.HealthMonitor, 1, cancellationToken);
            await LockParentsAsync(s, pool, cancellationToken);
            if (await s.Db.HealthMonitors.AnyAsync(h => h.PoolId == pool.Id, cancellationToken))
            {
                throw ApiException.Conflict("This pool already has a health monitor");
            }

            s.Db.HealthMonitors.Add(monitor);
            s.AddJob(JobKinds.HealthMonitorCreate, new FlowState { LoadBalancerId = pool.LoadBalancerId, PoolId = pool.Id, HealthMonitorId = monitor.Id });
            return true;
        }, cancellationToken);
        return JsonResult.Single(201, "healthmonitor", w => HealthMonitorJson.Write(w, monitor, FieldSet.All));
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext http, WriteScope scope, CancellationToken cancellationToken)
    {
        var body = JsonBody.Parse(await ApiRequest.ReadBodyAsync(http), "healthmonitor", HealthMonitorRequests.PutAttributes);
        var monitor = await FindAsync(scope.Db, id, cancellationToken);
        ApiRequest.Authorize(http, "healthmonitor:put", monitor.ProjectId);
        var pool = await FindPoolAsync(scope.Db, monitor.PoolId, cancellationToken);
        HealthMonitorRequests.ApplyPut(body, monitor, pool.Protocol, ApiRequest.Settings(http));

        await scope.RunAsync(async s =>
        {
            await LockParentsAsync(s, pool, cancellationToken);
            monitor.ProvisioningStatus = ProvisioningStatus.PendingUpdate;
            monitor.UpdatedAt = s.Now;
            s.Db.HealthMonitors.Update(monitor);
            s.AddJob(JobKinds.HealthMonitorUpdate, new FlowState { LoadBalancerId = pool.LoadBalancerId, PoolId = pool.Id, HealthMonitorId = monitor.Id });
            return true;
        }, cancellationToken);
        return JsonResult.Single(200, "healthmonitor", w => HealthMonitorJson.Write(w, monitor, FieldSet.All));
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext http, WriteScope scope, CancellationToken cancellationToken)
    {
        var monitor = await FindAsync(scope.Db, id, cancellationToken);
        ApiRequest.Authorize(http, "healthmonitor:delete", monitor.ProjectId);
        var pool = await FindPoolAsync(scope.Db, monitor.PoolId, cancellationToken);
        await scope.RunAsync(async s =>
        {
            await LockParentsAsync(s, pool, cancellationToken);
            await s.Db.HealthMonitors.Where(h => h.Id == monitor.Id)
                .ExecuteUpdateAsync(x => x.SetProperty(h => h.ProvisioningStatus, ProvisioningStatus.PendingDelete).SetProperty(h => h.UpdatedAt, s.Now), cancellationToken);
            s.AddJob(JobKinds.HealthMonitorDelete, new FlowState { LoadBalancerId = pool.LoadBalancerId, PoolId = pool.Id, HealthMonitorId = monitor.Id });
            return true;
        }, cancellationToken);
        return Results.StatusCode(204);
    }
}
