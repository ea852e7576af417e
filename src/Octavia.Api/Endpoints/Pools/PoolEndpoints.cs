using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Octavia.Api.Endpoints.Listeners;
using Octavia.Api.Endpoints.LoadBalancers;
using Octavia.Api.Faults;
using Octavia.Api.Hosting;
using Octavia.Api.Json;
using Octavia.Api.Paging;
using Octavia.Core.Jobs;
using Octavia.Core.Model;
using Octavia.Core.Statuses;
using Octavia.Db;

namespace Octavia.Api.Endpoints.Pools;

/// <summary><c>/v2/lbaas/pools</c> (reference/api.md §8).</summary>
public static class PoolEndpoints
{
    internal static readonly ResourceAttributes<Pool> Attributes = new(new Dictionary<string, string>
    {
        ["id"] = "Id",
        ["name"] = "Name",
        ["description"] = "Description",
        ["provisioning_status"] = "ProvisioningStatus",
        ["operating_status"] = "OperatingStatus",
        ["admin_state_up"] = "Enabled",
        ["project_id"] = "ProjectId",
        ["tenant_id"] = "ProjectId",
        ["created_at"] = "CreatedAt",
        ["updated_at"] = "UpdatedAt",
        ["loadbalancer_id"] = "LoadBalancerId",
        ["protocol"] = "Protocol",
        ["lb_algorithm"] = "LbAlgorithm",
        ["tls_enabled"] = "TlsEnabled",
        ["tls_container_ref"] = "TlsContainerRef",
        ["ca_tls_container_ref"] = "CaTlsContainerRef",
        ["crl_container_ref"] = "CrlContainerRef",
        ["tls_ciphers"] = "TlsCiphers",
        // Upstream accepts every attribute of its data model as a filter: parent ids and model names too.
        ["enabled"] = "Enabled",
        ["load_balancer_id"] = "LoadBalancerId",
        ["tls_certificate_id"] = "TlsContainerRef",
        ["ca_tls_certificate_id"] = "CaTlsContainerRef",
        ["crl_container_id"] = "CrlContainerRef",
    });

    public static void Map(IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/v2/lbaas/pools");
        group.MapGet("", ListAsync);
        group.MapPost("", CreateAsync);
        group.MapGet("/{id}", GetAsync);
        group.MapPut("/{id}", UpdateAsync);
        group.MapDelete("/{id}", DeleteAsync);
    }

    /// <summary>What a pool response links to besides the pool row.</summary>
    internal sealed record Links(ILookup<string, string> Listeners, ILookup<string, string> Members, IReadOnlyDictionary<string, string> HealthMonitors);

    /// <summary>
    /// Loads the linked ids of the given pools. A pool's <c>listeners</c> are those using it as default pool,
    /// plus those with an enabled L7 policy that has rules and redirects to it (upstream's Pool.listeners).
    /// </summary>
    internal static async Task<Links> LinksAsync(OctaviaDbContext db, IReadOnlyCollection<string> poolIds, CancellationToken cancellationToken)
    {
        var defaults = await db.Listeners.Where(l => l.DefaultPoolId != null && poolIds.Contains(l.DefaultPoolId))
            .OrderBy(l => l.CreatedAt).ThenBy(l => l.Id)
            .Select(l => new { PoolId = l.DefaultPoolId!, l.Id }).ToListAsync(cancellationToken);
        var redirects = await db.L7Policies
            .Where(p => p.RedirectPoolId != null && poolIds.Contains(p.RedirectPoolId) && p.Enabled && p.Rules.Any())
            .OrderBy(p => p.Position)
            .Select(p => new { PoolId = p.RedirectPoolId!, Id = p.ListenerId }).ToListAsync(cancellationToken);
        var listeners = defaults.Concat(redirects).DistinctBy(x => (x.PoolId, x.Id)).ToLookup(x => x.PoolId, x => x.Id);
        var members = (await db.Members.Where(m => poolIds.Contains(m.PoolId)).OrderBy(m => m.CreatedAt).ThenBy(m => m.Id)
            .Select(m => new { m.PoolId, m.Id }).ToListAsync(cancellationToken)).ToLookup(m => m.PoolId, m => m.Id);
        var monitors = await db.HealthMonitors.Where(h => poolIds.Contains(h.PoolId)).ToDictionaryAsync(h => h.PoolId, h => h.Id, cancellationToken);
        return new Links(listeners, members, monitors);
    }

    private static void Write(System.Text.Json.Utf8JsonWriter w, Pool pool, Links links, FieldSet fields) =>
        PoolJson.Write(w, pool, links.Listeners[pool.Id], links.Members[pool.Id], links.HealthMonitors.GetValueOrDefault(pool.Id), fields);

    private static async Task<IResult> ListAsync(HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken)
    {
        var source = ApiRequest.Listable(http, "pool", db.Pools, p => p.ProjectId);

        var page = await Listing.FetchAsync(http, source, Attributes, id => source.Where(p => p.Id == id), cancellationToken);
        var links = await LinksAsync(db, page.Items.Select(p => p.Id).ToList(), cancellationToken);
        return Listing.Respond(http, page, "pools", "pools_links", x => x.Id, (w, pool, fields) => Write(w, pool, links, fields));
    }

    private static async Task<IResult> GetAsync(string id, HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken)
    {
        var pool = await db.Pools.FirstOrDefaultAsync(p => p.Id == id, cancellationToken) ?? throw ApiException.NotFound("Pool", id);
        ApiRequest.Authorize(http, "pool:get_one", pool.ProjectId);
        var links = await LinksAsync(db, [id], cancellationToken);
        var fields = ListQuery.ParseFields(http.Request.Query, ApiRequest.Settings(http));
        return JsonResult.Single(200, "pool", w => Write(w, pool, links, fields));
    }

    private static async Task<IResult> CreateAsync(HttpContext http, WriteScope scope, CancellationToken cancellationToken)
    {
        var settings = ApiRequest.Settings(http);
        var context = ApiRequest.Context(http);
        var body = JsonBody.Parse(await ApiRequest.ReadBodyAsync(http), "pool", PoolRequests.PostAttributes);
        var (pool, listenerId, _, _) = PoolRequests.ParseCreate(body, settings);
        if (pool.LoadBalancerId.Length == 0 && listenerId is null)
        {
            throw ApiException.ValidationFailure("Must provide at least one of: loadbalancer_id, listener_id");
        }

        await scope.RunAsync(async s =>
        {
            Listener? listener = null;
            if (listenerId is not null)
            {
                listener = await ListenerEndpoints.FindAsync(s.Db, listenerId, cancellationToken);
                ApiRequest.Authorize(http, "pool:post", listener.ProjectId);
                if (pool.LoadBalancerId.Length == 0)
                {
                    pool.LoadBalancerId = listener.LoadBalancerId;
                }
                else if (pool.LoadBalancerId != listener.LoadBalancerId)
                {
                    // Upstream does not check this and would link a pool to a listener of another load balancer.
                    throw ApiException.ValidationFailure($"Listener {listenerId} is not on load balancer {pool.LoadBalancerId}.");
                }
            }

            var lb = await LoadBalancerEndpoints.FindAsync(s.Db, pool.LoadBalancerId, cancellationToken);
            ApiRequest.Authorize(http, "pool:post", lb.ProjectId);
            pool.ProjectId = lb.ProjectId;
            pool.CreatedAt = s.Now;
            if (listener is not null)
            {
                if (listener.Protocol == "PROMETHEUS")
                {
                    throw ListenerRequests.NoChildren();
                }

                ListenerRequests.CheckPoolProtocol(listener.Protocol, pool.Protocol);
            }

            await s.CheckQuotaAsync(context, lb.ProjectId, QuotaResource.Pool, 1, cancellationToken);
            if (listener?.DefaultPoolId is not null)
            {
                throw ApiException.Conflict("This listener already has a default pool");
            }

            await s.LockLoadBalancerForChildAsync(lb.Id, cancellationToken);
            s.Db.Pools.Add(pool);
            if (listener is not null)
            {
                // The pool row must exist before the listener points at it.
                await s.Db.SaveChangesAsync(cancellationToken);
                await s.Db.Listeners.Where(l => l.Id == listener.Id)
                    .ExecuteUpdateAsync(x => x.SetProperty(l => l.DefaultPoolId, pool.Id)
                        .SetProperty(l => l.ProvisioningStatus, ProvisioningStatus.PendingUpdate)
                        .SetProperty(l => l.UpdatedAt, s.Now), cancellationToken);
            }

            s.AddJob(JobKinds.PoolCreate, new FlowState { LoadBalancerId = lb.Id, PoolId = pool.Id });
            return true;
        }, cancellationToken);

        return JsonResult.Single(201, "pool", w => PoolJson.Write(w, pool, listenerId is null ? [] : [listenerId], [], null, FieldSet.All));
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext http, WriteScope scope, CancellationToken cancellationToken)
    {
        var settings = ApiRequest.Settings(http);
        var body = JsonBody.Parse(await ApiRequest.ReadBodyAsync(http), "pool", PoolRequests.PutAttributes);
        var (pool, links) = await scope.RunAsync(async s =>
        {
            var pool = await s.Db.Pools.AsTracking().FirstOrDefaultAsync(p => p.Id == id, cancellationToken) ?? throw ApiException.NotFound("Pool", id);
            ApiRequest.Authorize(http, "pool:put", pool.ProjectId);
            PoolRequests.ApplyUpdate(body, pool, settings);
            await s.LockLoadBalancerForChildAsync(pool.LoadBalancerId, cancellationToken);
            await s.MarkListenersPendingUpdateAsync(await s.ListenersOfPoolAsync(id, cancellationToken), cancellationToken);
            pool.ProvisioningStatus = ProvisioningStatus.PendingUpdate;
            pool.UpdatedAt = s.Now;
            s.AddJob(JobKinds.PoolUpdate, new FlowState { LoadBalancerId = pool.LoadBalancerId, PoolId = id });
            return (pool, await LinksAsync(s.Db, [id], cancellationToken));
        }, cancellationToken);

        return JsonResult.Single(200, "pool", w => Write(w, pool, links, FieldSet.All));
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext http, WriteScope scope, CancellationToken cancellationToken)
    {
        await scope.RunAsync(async s =>
        {
            var pool = await s.Db.Pools.FirstOrDefaultAsync(p => p.Id == id, cancellationToken) ?? throw ApiException.NotFound("Pool", id);
            ApiRequest.Authorize(http, "pool:delete", pool.ProjectId);
            var policyId = await s.Db.L7Policies.Where(p => p.RedirectPoolId == id).OrderBy(p => p.CreatedAt).Select(p => p.Id).FirstOrDefaultAsync(cancellationToken);
            if (policyId is not null)
            {
                throw ApiException.Conflict($"Pool {id} is in use by L7 policy {policyId}");
            }

            await s.LockLoadBalancerForChildAsync(pool.LoadBalancerId, cancellationToken);
            await s.MarkListenersPendingUpdateAsync(await s.ListenersOfPoolAsync(id, cancellationToken), cancellationToken);
            await s.Db.Pools.Where(p => p.Id == id)
                .ExecuteUpdateAsync(x => x.SetProperty(p => p.ProvisioningStatus, ProvisioningStatus.PendingDelete).SetProperty(p => p.UpdatedAt, s.Now), cancellationToken);
            s.AddJob(JobKinds.PoolDelete, new FlowState { LoadBalancerId = pool.LoadBalancerId, PoolId = id });
            return true;
        }, cancellationToken);
        return Results.StatusCode(204);
    }
}
