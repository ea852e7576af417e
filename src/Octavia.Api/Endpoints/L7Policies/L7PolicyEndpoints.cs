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

namespace Octavia.Api.Endpoints.L7Policies;

/// <summary><c>/v2/lbaas/l7policies</c> (reference/api.md §11.1).</summary>
public static class L7PolicyEndpoints
{
    internal static readonly ResourceAttributes<L7Policy> Attributes = new(new Dictionary<string, string>
    {
        ["id"] = "Id",
        ["name"] = "Name",
        ["description"] = "Description",
        ["provisioning_status"] = "ProvisioningStatus",
        ["operating_status"] = "OperatingStatus",
        ["admin_state_up"] = "Enabled",
        ["project_id"] = "ProjectId",
        ["tenant_id"] = "ProjectId",
        ["action"] = "Action",
        ["listener_id"] = "ListenerId",
        ["redirect_pool_id"] = "RedirectPoolId",
        ["redirect_url"] = "RedirectUrl",
        ["redirect_prefix"] = "RedirectPrefix",
        ["position"] = "Position",
        ["created_at"] = "CreatedAt",
        ["updated_at"] = "UpdatedAt",
        ["redirect_http_code"] = "RedirectHttpCode",
        // Upstream accepts every attribute of its data model as a filter: parent ids and model names too.
        ["enabled"] = "Enabled",
    });

    public static void Map(IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/v2/lbaas/l7policies");
        group.MapGet("", ListAsync);
        group.MapPost("", CreateAsync);
        group.MapGet("/{id}", GetAsync);
        group.MapPut("/{id}", UpdateAsync);
        group.MapDelete("/{id}", DeleteAsync);
    }

    private static async Task<L7Policy> FindAsync(OctaviaDbContext db, string id, CancellationToken cancellationToken) =>
        await db.L7Policies.FirstOrDefaultAsync(p => p.Id == id, cancellationToken) ?? throw ApiException.NotFound("L7 Policy", id);

    private sealed record Parent(Listener Listener, LoadBalancer LoadBalancer);

    private static async Task<Parent> FindListenerAsync(OctaviaDbContext db, string listenerId, CancellationToken cancellationToken)
    {
        var listener = await db.Listeners.FirstOrDefaultAsync(l => l.Id == listenerId, cancellationToken)
            ?? throw ApiException.NotFound("Listener", listenerId);
        var lb = await db.LoadBalancers.FirstAsync(l => l.Id == listener.LoadBalancerId, cancellationToken);
        return new Parent(listener, lb);
    }

    /// <summary>A redirect pool must be on the listener's load balancer and project (404 otherwise) and suit its protocol.</summary>
    private static async Task CheckRedirectPoolAsync(OctaviaDbContext db, Parent parent, string? poolId, CancellationToken cancellationToken)
    {
        if (poolId is null)
        {
            return;
        }

        var pool = await db.Pools.FirstOrDefaultAsync(
            p => p.Id == poolId && p.LoadBalancerId == parent.LoadBalancer.Id && p.ProjectId == parent.LoadBalancer.ProjectId, cancellationToken)
            ?? throw ApiException.NotFound("Pool", poolId);
        L7PolicyRequests.CheckPoolProtocol(parent.Listener.Protocol, pool.Protocol);
    }

    private static async Task<List<string>> RuleIdsAsync(OctaviaDbContext db, string policyId, CancellationToken cancellationToken) =>
        await db.L7Rules.Where(r => r.L7PolicyId == policyId).OrderBy(r => r.CreatedAt).ThenBy(r => r.Id).Select(r => r.Id).ToListAsync(cancellationToken);

    private static async Task<IResult> ListAsync(HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken)
    {
        var source = ApiRequest.Listable(http, "l7policy", db.L7Policies, p => p.ProjectId);
        var page = await Listing.FetchAsync(http, source, Attributes, id => source.Where(p => p.Id == id), cancellationToken);
        var ids = page.Items.Select(p => p.Id).ToList();
        var rules = (await db.L7Rules.Where(r => ids.Contains(r.L7PolicyId)).OrderBy(r => r.CreatedAt).ThenBy(r => r.Id)
            .Select(r => new { r.L7PolicyId, r.Id }).ToListAsync(cancellationToken)).ToLookup(r => r.L7PolicyId, r => r.Id);
        return Listing.Respond(http, page, "l7policies", "l7policies_links", x => x.Id, (w, policy, fields) => L7PolicyJson.Write(w, policy, rules[policy.Id], fields));
    }

    private static async Task<IResult> GetAsync(string id, HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken)
    {
        var policy = await FindAsync(db, id, cancellationToken);
        ApiRequest.Authorize(http, "l7policy:get_one", policy.ProjectId);
        var ruleIds = await RuleIdsAsync(db, id, cancellationToken);
        var fields = ListQuery.ParseFields(http.Request.Query, ApiRequest.Settings(http));
        return JsonResult.Single(200, "l7policy", w => L7PolicyJson.Write(w, policy, ruleIds, fields));
    }

    /// <summary>
    /// The listener's policies in order, tracked, with <paramref name="policy"/> placed at
    /// <paramref name="position"/> (clamped to the end) and everyone renumbered 1..N, as upstream's
    /// ordering list keeps them.
    /// </summary>
    private static async Task PlaceAsync(OctaviaDbContext db, L7Policy policy, int position, bool isNew, CancellationToken cancellationToken)
    {
        var siblings = await db.L7Policies.AsTracking().Where(p => p.ListenerId == policy.ListenerId)
            .OrderBy(p => p.Position).ThenBy(p => p.CreatedAt).ThenBy(p => p.Id).ToListAsync(cancellationToken);
        if (!isNew)
        {
            siblings.RemoveAll(p => p.Id == policy.Id);
        }

        siblings.Insert(Math.Min(position - 1, siblings.Count), policy);
        for (var i = 0; i < siblings.Count; i++)
        {
            if (siblings[i].Position != i + 1)
            {
                siblings[i].Position = i + 1;
            }
        }
    }

    private static async Task<IResult> CreateAsync(HttpContext http, WriteScope scope, CancellationToken cancellationToken)
    {
        var context = ApiRequest.Context(http);
        var body = JsonBody.Parse(await ApiRequest.ReadBodyAsync(http), "l7policy", L7PolicyRequests.PostAttributes);
        var policy = L7PolicyRequests.ParsePost(body, requireListenerId: true, scope.Now);
        if (policy.Rules.Count > 0)
        {
            // Inline rules belong to the load balancer graph create; here they go through the rules resource.
            throw ApiException.ValidationFailure("rules can only be given when creating a load balancer graph; use /v2/lbaas/l7policies/{l7policy_id}/rules.");
        }

        var parent = await FindListenerAsync(scope.Db, policy.ListenerId, cancellationToken);
        ApiRequest.Authorize(http, "l7policy:post", parent.LoadBalancer.ProjectId);
        L7PolicyRequests.CheckListener(parent.Listener);
        await CheckRedirectPoolAsync(scope.Db, parent, policy.RedirectPoolId, cancellationToken);
        L7PolicyRequests.CheckProvider(parent.Listener, parent.LoadBalancer.Provider);
        policy.ProjectId = parent.LoadBalancer.ProjectId;

        await scope.RunAsync(async s =>
        {
            await s.CheckQuotaAsync(context, policy.ProjectId, QuotaResource.L7Policy, 1, cancellationToken);
            await s.LockLoadBalancerForChildAsync(parent.LoadBalancer.Id, cancellationToken);
            await s.MarkListenersPendingUpdateAsync([parent.Listener.Id], cancellationToken);
            await PlaceAsync(s.Db, policy, policy.Position, isNew: true, cancellationToken);
            s.Db.L7Policies.Add(policy);
            s.AddJob(JobKinds.L7PolicyCreate, new FlowState { LoadBalancerId = parent.LoadBalancer.Id, L7PolicyId = policy.Id });
            return true;
        }, cancellationToken);
        return JsonResult.Single(201, "l7policy", w => L7PolicyJson.Write(w, policy, [], FieldSet.All));
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext http, WriteScope scope, CancellationToken cancellationToken)
    {
        var body = JsonBody.Parse(await ApiRequest.ReadBodyAsync(http), "l7policy", L7PolicyRequests.PutAttributes);
        var name = body.String("name");
        var description = body.String("description");
        var adminStateUp = body.Bool("admin_state_up");
        var position = body.Int("position", 1, Constants.MaxPosition);
        var tags = body.Tags();
        var redirects = L7PolicyRequests.ParsePutRedirects(body);
        if (body.IsEmpty)
        {
            throw ApiException.BadRequest("Invalid L7 Policy arguments: Invalid update options");
        }

        var existing = await FindAsync(scope.Db, id, cancellationToken);
        ApiRequest.Authorize(http, "l7policy:put", existing.ProjectId);
        var parent = await FindListenerAsync(scope.Db, existing.ListenerId, cancellationToken);
        await CheckRedirectPoolAsync(scope.Db, parent, redirects.PoolId.Value, cancellationToken);

        var policy = await scope.RunAsync(async s =>
        {
            await s.LockLoadBalancerForChildAsync(parent.LoadBalancer.Id, cancellationToken);
            await s.MarkListenersPendingUpdateAsync([parent.Listener.Id], cancellationToken);
            var p = await s.Db.L7Policies.AsTracking().FirstAsync(x => x.Id == id, cancellationToken);
            if (name.Present)
            {
                p.Name = name.Value ?? "";
            }

            if (description.Present)
            {
                p.Description = description.Value ?? "";
            }

            if (adminStateUp.Present)
            {
                p.Enabled = adminStateUp.Value ?? false;
            }

            if (tags.Present)
            {
                p.Tags = tags.Value ?? [];
            }

            redirects.ApplyTo(p);
            if (position.Value is int wanted && wanted != p.Position)
            {
                await PlaceAsync(s.Db, p, wanted, isNew: false, cancellationToken);
            }

            p.ProvisioningStatus = ProvisioningStatus.PendingUpdate;
            p.UpdatedAt = s.Now;
            s.AddJob(JobKinds.L7PolicyUpdate, new FlowState { LoadBalancerId = parent.LoadBalancer.Id, L7PolicyId = p.Id });
            return p;
        }, cancellationToken);
        var ruleIds = await RuleIdsAsync(scope.Db, id, cancellationToken);
        return JsonResult.Single(200, "l7policy", w => L7PolicyJson.Write(w, policy, ruleIds, FieldSet.All));
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext http, WriteScope scope, CancellationToken cancellationToken)
    {
        var policy = await FindAsync(scope.Db, id, cancellationToken);
        ApiRequest.Authorize(http, "l7policy:delete", policy.ProjectId);
        var parent = await FindListenerAsync(scope.Db, policy.ListenerId, cancellationToken);
        await scope.RunAsync(async s =>
        {
            await s.LockLoadBalancerForChildAsync(parent.LoadBalancer.Id, cancellationToken);
            await s.MarkListenersPendingUpdateAsync([parent.Listener.Id], cancellationToken);
            await s.Db.L7Policies.Where(p => p.Id == id)
                .ExecuteUpdateAsync(x => x.SetProperty(p => p.ProvisioningStatus, ProvisioningStatus.PendingDelete).SetProperty(p => p.UpdatedAt, s.Now), cancellationToken);

            // The worker removes the row and closes the gap in the positions (L7Positions.CompactAsync).
            s.AddJob(JobKinds.L7PolicyDelete, new FlowState { LoadBalancerId = parent.LoadBalancer.Id, L7PolicyId = id });
            return true;
        }, cancellationToken);
        return Results.StatusCode(204);
    }
}
