using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Octavia.Api.Faults;
using Octavia.Api.Hosting;
using Octavia.Api.Json;
using Octavia.Api.Paging;
using Octavia.Core.Jobs;
using Octavia.Core.Statuses;
using Octavia.Db;

namespace Octavia.Api.Endpoints.Amphorae;

/// <summary><c>/v2/octavia/amphorae</c> (reference/api.md §13.6). DELETED amphorae are invisible.</summary>
public static class AmphoraEndpoints
{
    private static readonly ResourceAttributes<AmphoraView> Attributes = new(new Dictionary<string, string>
    {
        ["id"] = "Id",
        ["loadbalancer_id"] = "LoadBalancerId",
        ["project_id"] = "ProjectId",
        ["compute_id"] = "ComputeId",
        ["lb_network_ip"] = "LbNetworkIp",
        ["vrrp_ip"] = "VrrpIp",
        ["ha_ip"] = "HaIp",
        ["vrrp_port_id"] = "VrrpPortId",
        ["ha_port_id"] = "HaPortId",
        ["cert_expiration"] = "CertExpiration",
        ["cert_busy"] = "CertBusy",
        ["role"] = "Role",
        ["status"] = "Status",
        ["vrrp_interface"] = "VrrpInterface",
        ["vrrp_id"] = "VrrpId",
        ["vrrp_priority"] = "VrrpPriority",
        ["cached_zone"] = "CachedZone",
        ["created_at"] = "CreatedAt",
        ["updated_at"] = "UpdatedAt",
        ["image_id"] = "ImageId",
        ["compute_flavor"] = "ComputeFlavor",
        // Upstream accepts every attribute of its data model as a filter: parent ids and model names too.
        ["load_balancer_id"] = "LoadBalancerId",
    });

    public static void Map(IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/v2/octavia/amphorae");
        group.MapGet("", ListAsync).RequirePolicy("amphora:get_all");
        group.MapGet("/{id}", GetAsync).RequirePolicy("amphora:get_one");
        group.MapDelete("/{id}", DeleteAsync).RequirePolicy("amphora:delete");
        group.MapPut("/{id}/failover", FailoverAsync).RequirePolicy("amphora:put_failover");
        group.MapPut("/{id}/config", ConfigAsync).RequirePolicy("amphora:put_config");
        group.MapGet("/{id}/stats", StatsAsync).RequirePolicy("amphora:get_stats");
    }

    private static async Task<AmphoraView> FindAsync(OctaviaDbContext db, string id, CancellationToken cancellationToken) =>
        await AmphoraView.Query(db).FirstOrDefaultAsync(a => a.Id == id, cancellationToken) ?? throw ApiException.NotFound("Amphora", id);

    private static async Task<IResult> ListAsync(HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken)
    {
        var source = AmphoraView.Query(db);
        var page = await Listing.FetchAsync(http, source, Attributes, id => source.Where(a => a.Id == id), cancellationToken);
        return Listing.Respond(http, page, "amphorae", "amphorae_links", x => x.Id, (w, amphora, fields) => AmphoraJson.Write(w, amphora, fields));
    }

    private static async Task<IResult> GetAsync(string id, HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken)
    {
        var amphora = await FindAsync(db, id, cancellationToken);
        var fields = ListQuery.ParseFields(http.Request.Query, ApiRequest.Settings(http));
        return JsonResult.Single(200, "amphora", w => AmphoraJson.Write(w, amphora, fields));
    }

    /// <summary>Only a broken (ERROR) amphora may be deleted by hand; the compare-and-set makes a second delete a 409.</summary>
    private static async Task<IResult> DeleteAsync(string id, WriteScope scope, CancellationToken cancellationToken)
    {
        await scope.RunAsync(async s =>
        {
            var amphora = await FindAsync(s.Db, id, cancellationToken);
            var rows = await s.Db.Amphorae.Where(a => a.Id == id && a.Status == AmphoraStatus.Error)
                .ExecuteUpdateAsync(x => x.SetProperty(a => a.Status, AmphoraStatus.PendingDelete).SetProperty(a => a.UpdatedAt, s.Now), cancellationToken);
            if (rows == 0)
            {
                // Upstream names the resource by its lower-case constant here.
                throw ApiException.Immutable("amphora", id);
            }

            s.AddJob(JobKinds.AmphoraDelete, new FlowState { AmphoraId = id, LoadBalancerId = amphora.LoadBalancerId });
            return true;
        }, cancellationToken);
        return Results.StatusCode(204);
    }

    /// <summary>
    /// Replaces one amphora. Upstream locks the load balancer with the child-object test (ACTIVE only), so
    /// its 409 reads "Load Balancer … is immutable", not the "Invalid state" of a load balancer failover.
    /// </summary>
    private static async Task<IResult> FailoverAsync(string id, WriteScope scope, CancellationToken cancellationToken)
    {
        await scope.RunAsync(async s =>
        {
            var amphora = await FindAsync(s.Db, id, cancellationToken);
            if (amphora.LoadBalancerId is null)
            {
                // A spare amphora has no load balancer to fail over (upstream fails with a 500 here).
                throw ApiException.Conflict($"Amphora {id} is not associated with a load balancer.");
            }

            await s.LockLoadBalancerForChildAsync(amphora.LoadBalancerId, cancellationToken);
            s.AddJob(JobKinds.AmphoraFailover, new FlowState { LoadBalancerId = amphora.LoadBalancerId, AmphoraId = id });
            return true;
        }, cancellationToken);
        return Results.StatusCode(202);
    }

    private static async Task<IResult> ConfigAsync(string id, WriteScope scope, CancellationToken cancellationToken)
    {
        await scope.RunAsync(async s =>
        {
            var amphora = await FindAsync(s.Db, id, cancellationToken);
            s.AddJob(JobKinds.AmphoraConfigUpdate, new FlowState { AmphoraId = id, LoadBalancerId = amphora.LoadBalancerId });
            return true;
        }, cancellationToken);
        return Results.StatusCode(202);
    }

    private static async Task<IResult> StatsAsync(string id, OctaviaDbContext db, CancellationToken cancellationToken)
    {
        var rows = await db.ListenerStatistics.Where(s => s.AmphoraId == id)
            .Join(db.Amphorae, s => s.AmphoraId, a => a.Id, (s, a) => new { Stats = s, a.LoadBalancerId })
            .OrderBy(r => r.Stats.ListenerId)
            .ToListAsync(cancellationToken);
        if (rows.Count == 0)
        {
            throw ApiException.NotFound("Amphora stats for", id);
        }

        return new JsonResult(200, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("amphora_stats");
            foreach (var row in rows)
            {
                AmphoraJson.WriteStatistics(w, row.Stats, row.LoadBalancerId);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }
}
