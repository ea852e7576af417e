using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Octavia.Api.Endpoints.LoadBalancers;
using Octavia.Api.Faults;
using Octavia.Api.Hosting;
using Octavia.Api.Json;
using Octavia.Api.Paging;
using Octavia.Core.Configuration;
using Octavia.Core.Jobs;
using Octavia.Core.Model;
using Octavia.Core.Statuses;
using Octavia.Db;

namespace Octavia.Api.Endpoints.Listeners;

/// <summary><c>/v2/lbaas/listeners</c> (reference/api.md §7).</summary>
public static class ListenerEndpoints
{
    internal static readonly ResourceAttributes<Listener> Attributes = new(new Dictionary<string, string>
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
        ["protocol_port"] = "ProtocolPort",
        ["connection_limit"] = "ConnectionLimit",
        ["default_pool_id"] = "DefaultPoolId",
        ["default_tls_container_ref"] = "DefaultTlsContainerRef",
        ["client_ca_tls_container_ref"] = "ClientCaTlsContainerRef",
        ["client_authentication"] = "ClientAuthentication",
        ["client_crl_container_ref"] = "ClientCrlContainerRef",
        ["timeout_client_data"] = "TimeoutClientData",
        ["timeout_member_connect"] = "TimeoutMemberConnect",
        ["timeout_member_data"] = "TimeoutMemberData",
        ["timeout_tcp_inspect"] = "TimeoutTcpInspect",
        ["tls_ciphers"] = "TlsCiphers",
        ["hsts_max_age"] = "HstsMaxAge",
        ["hsts_include_subdomains"] = "HstsIncludeSubdomains",
        ["hsts_preload"] = "HstsPreload",
        // Upstream accepts every attribute of its data model as a filter: parent ids and model names too.
        ["enabled"] = "Enabled",
        ["load_balancer_id"] = "LoadBalancerId",
        ["tls_certificate_id"] = "DefaultTlsContainerRef",
        ["client_ca_tls_certificate_id"] = "ClientCaTlsContainerRef",
        ["client_crl_container_id"] = "ClientCrlContainerRef",
    });

    public static void Map(IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/v2/lbaas/listeners");
        group.MapGet("", ListAsync);
        group.MapPost("", CreateAsync);
        group.MapGet("/{id}", GetAsync);
        group.MapPut("/{id}", UpdateAsync);
        group.MapDelete("/{id}", DeleteAsync);
        group.MapGet("/{id}/stats", StatsAsync);
    }

    internal static async Task<Listener> FindAsync(OctaviaDbContext db, string id, CancellationToken cancellationToken) =>
        await db.Listeners.FirstOrDefaultAsync(l => l.Id == id, cancellationToken) ?? throw ApiException.NotFound("Listener", id);

    /// <summary>The ids of each listener's L7 policies, in position order.</summary>
    internal static async Task<ILookup<string, string>> PolicyIdsAsync(OctaviaDbContext db, IReadOnlyCollection<string> listenerIds, CancellationToken cancellationToken)
    {
        var rows = await db.L7Policies.Where(p => listenerIds.Contains(p.ListenerId)).OrderBy(p => p.Position)
            .Select(p => new { p.ListenerId, p.Id }).ToListAsync(cancellationToken);
        return rows.ToLookup(p => p.ListenerId, p => p.Id);
    }

    private static async Task<IResult> ListAsync(HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken)
    {
        var source = ApiRequest.Listable(http, "listener", db.Listeners, l => l.ProjectId);

        var page = await Listing.FetchAsync(http, source, Attributes, id => source.Where(l => l.Id == id), cancellationToken);
        var policies = await PolicyIdsAsync(db, page.Items.Select(l => l.Id).ToList(), cancellationToken);
        return Listing.Respond(http, page, "listeners", "listeners_links", x => x.Id, (w, listener, fields) => ListenerJson.Write(w, listener, policies[listener.Id], fields));
    }

    private static async Task<IResult> GetAsync(string id, HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken)
    {
        var listener = await FindAsync(db, id, cancellationToken);
        ApiRequest.Authorize(http, "listener:get_one", listener.ProjectId);
        var policies = await PolicyIdsAsync(db, [id], cancellationToken);
        var fields = ListQuery.ParseFields(http.Request.Query, ApiRequest.Settings(http));
        return JsonResult.Single(200, "listener", w => ListenerJson.Write(w, listener, policies[id], fields));
    }

    private static async Task<IResult> CreateAsync(HttpContext http, WriteScope scope, IOptions<HaproxyAmphoraOptions> haproxy, CancellationToken cancellationToken)
    {
        var settings = ApiRequest.Settings(http);
        var context = ApiRequest.Context(http);
        var body = JsonBody.Parse(await ApiRequest.ReadBodyAsync(http), "listener", ListenerRequests.PostAttributes);
        var listener = ListenerRequests.ParseCreate(body, settings, haproxy.Value).Listener;
        if (listener.LoadBalancerId.Length == 0)
        {
            throw ApiException.InvalidInput("loadbalancer_id", null, "Mandatory field missing.");
        }

        await scope.RunAsync(async s =>
        {
            // Upstream's order: the load balancer (404), quota (403), default pool (404/400), the lock (409),
            // then the checks against the load balancer's other listeners and VIPs.
            var lb = await LoadBalancerEndpoints.FindAsync(s.Db, listener.LoadBalancerId, cancellationToken);
            ApiRequest.Authorize(http, "listener:post", lb.ProjectId);
            listener.ProjectId = lb.ProjectId;
            listener.CreatedAt = s.Now;
            await s.CheckQuotaAsync(context, lb.ProjectId, QuotaResource.Listener, 1, cancellationToken);
            if (listener.DefaultPoolId is { } poolId)
            {
                await ListenerRequests.CheckDefaultPoolAsync(s.Db, lb.Id, poolId, listener.Protocol, cancellationToken);
            }

            await s.LockLoadBalancerForChildAsync(lb.Id, cancellationToken);
            await ListenerRequests.CheckDuplicatePortAsync(s.Db, listener, cancellationToken);
            ListenerRequests.CheckCidrsAgainstVips(listener.AllowedCidrs, lb);
            s.Db.Listeners.Add(listener);
            s.AddJob(JobKinds.ListenerCreate, new FlowState { LoadBalancerId = lb.Id, ListenerId = listener.Id });
            return true;
        }, cancellationToken);

        return JsonResult.Single(201, "listener", w => ListenerJson.Write(w, listener, [], FieldSet.All));
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext http, WriteScope scope, IOptions<HaproxyAmphoraOptions> haproxy, CancellationToken cancellationToken)
    {
        var settings = ApiRequest.Settings(http);
        var body = JsonBody.Parse(await ApiRequest.ReadBodyAsync(http), "listener", ListenerRequests.PutAttributes);
        var (listener, policyIds) = await scope.RunAsync(async s =>
        {
            var listener = await s.Db.Listeners.AsTracking().FirstOrDefaultAsync(l => l.Id == id, cancellationToken)
                ?? throw ApiException.NotFound("Listener", id);
            ApiRequest.Authorize(http, "listener:put", listener.ProjectId);
            var lb = await LoadBalancerEndpoints.FindAsync(s.Db, listener.LoadBalancerId, cancellationToken);
            if (ListenerRequests.ApplyUpdate(body, listener, settings, haproxy.Value))
            {
                await ListenerRequests.CheckDefaultPoolAsync(s.Db, lb.Id, listener.DefaultPoolId!, listener.Protocol, cancellationToken);
            }

            if (body.Has("allowed_cidrs"))
            {
                ListenerRequests.CheckCidrsAgainstVips(listener.AllowedCidrs, lb);
            }

            await s.LockLoadBalancerForChildAsync(lb.Id, cancellationToken);
            listener.ProvisioningStatus = ProvisioningStatus.PendingUpdate;
            listener.UpdatedAt = s.Now;
            s.AddJob(JobKinds.ListenerUpdate, new FlowState { LoadBalancerId = lb.Id, ListenerId = id });
            var policies = await PolicyIdsAsync(s.Db, [id], cancellationToken);
            return (listener, policies[id].ToList());
        }, cancellationToken);

        return JsonResult.Single(200, "listener", w => ListenerJson.Write(w, listener, policyIds, FieldSet.All));
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext http, WriteScope scope, CancellationToken cancellationToken)
    {
        await scope.RunAsync(async s =>
        {
            var listener = await FindAsync(s.Db, id, cancellationToken);
            ApiRequest.Authorize(http, "listener:delete", listener.ProjectId);
            await s.LockLoadBalancerForChildAsync(listener.LoadBalancerId, cancellationToken);
            await s.Db.Listeners.Where(l => l.Id == id)
                .ExecuteUpdateAsync(x => x.SetProperty(l => l.ProvisioningStatus, ProvisioningStatus.PendingDelete).SetProperty(l => l.UpdatedAt, s.Now), cancellationToken);
            s.AddJob(JobKinds.ListenerDelete, new FlowState { LoadBalancerId = listener.LoadBalancerId, ListenerId = id });
            return true;
        }, cancellationToken);
        return Results.StatusCode(204);
    }

    private static async Task<IResult> StatsAsync(string id, HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken)
    {
        ApiRequest.Authorize(http, "listener:get_stats", (await FindAsync(db, id, cancellationToken)).ProjectId);
        var stats = await Statistics.SumAsync(db, [id], cancellationToken);
        return JsonResult.Single(200, "stats", w => Statistics.Write(w, stats));
    }
}
