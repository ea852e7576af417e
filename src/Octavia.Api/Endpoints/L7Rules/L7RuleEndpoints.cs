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

namespace Octavia.Api.Endpoints.L7Rules;

/// <summary><c>/v2/lbaas/l7policies/{l7policy_id}/rules</c> (reference/api.md §11.2; envelope <c>rule</c>/<c>rules</c>).</summary>
public static class L7RuleEndpoints
{
    internal static readonly ResourceAttributes<L7Rule> Attributes = new(new Dictionary<string, string>
    {
        ["id"] = "Id",
        ["type"] = "Type",
        ["compare_type"] = "CompareType",
        ["key"] = "Key",
        ["value"] = "Value",
        ["invert"] = "Invert",
        ["provisioning_status"] = "ProvisioningStatus",
        ["operating_status"] = "OperatingStatus",
        ["created_at"] = "CreatedAt",
        ["updated_at"] = "UpdatedAt",
        ["project_id"] = "ProjectId",
        ["tenant_id"] = "ProjectId",
        ["admin_state_up"] = "Enabled",
        // Upstream accepts every attribute of its data model as a filter: parent ids and model names too.
        ["l7policy_id"] = "L7PolicyId",
        ["enabled"] = "Enabled",
    });

    public static void Map(IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/v2/lbaas/l7policies/{l7policy_id}/rules");
        group.MapGet("", ListAsync);
        group.MapPost("", CreateAsync);
        group.MapGet("/{id}", GetAsync);
        group.MapPut("/{id}", UpdateAsync);
        group.MapDelete("/{id}", DeleteAsync);
    }

    private sealed record Parent(L7Policy Policy, string LoadBalancerId, string ProjectId);

    private static async Task<Parent> FindPolicyAsync(OctaviaDbContext db, string policyId, CancellationToken cancellationToken)
    {
        var row = await db.L7Policies.Where(p => p.Id == policyId)
            .Select(p => new { Policy = p, p.Listener!.LoadBalancerId, p.Listener.LoadBalancer!.ProjectId })
            .FirstOrDefaultAsync(cancellationToken) ?? throw ApiException.NotFound("L7 Policy", policyId);
        return new Parent(row.Policy, row.LoadBalancerId, row.ProjectId);
    }

    /// <summary>
    /// The rule <paramref name="id"/> of the policy, in upstream's order (the policy was found first): the rule must exist
    /// (404, whoever owns the policy), then the policy's <c>l7rule:&lt;action&gt;</c> is checked on the rule's project (403),
    /// and last a rule of another policy is not found through this one (404; docs/decisions.md).
    /// </summary>
    private static async Task<L7Rule> FindAsync(HttpContext http, string action, OctaviaDbContext db, string policyId, string id,
        CancellationToken cancellationToken)
    {
        var rule = await db.L7Rules.FirstOrDefaultAsync(r => r.Id == id, cancellationToken) ?? throw ApiException.NotFound("L7 Rule", id);
        ApiRequest.Authorize(http, action, rule.ProjectId);
        return rule.L7PolicyId == policyId ? rule : throw ApiException.NotFound("L7 Rule", id);
    }

    private static async Task<IResult> ListAsync(string l7policy_id, HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken)
    {
        ApiRequest.Authorize(http, "l7rule:get_all", (await FindPolicyAsync(db, l7policy_id, cancellationToken)).ProjectId);
        var source = db.L7Rules.Where(r => r.L7PolicyId == l7policy_id);
        var page = await Listing.FetchAsync(http, source, Attributes, id => source.Where(r => r.Id == id), cancellationToken);
        return Listing.Respond(http, page, "rules", "rules_links", x => x.Id, (w, rule, fields) => L7RuleJson.Write(w, rule, fields));
    }

    private static async Task<IResult> GetAsync(string l7policy_id, string id, HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken)
    {
        await FindPolicyAsync(db, l7policy_id, cancellationToken);
        var rule = await FindAsync(http, "l7rule:get_one", db, l7policy_id, id, cancellationToken);
        var fields = ListQuery.ParseFields(http.Request.Query, ApiRequest.Settings(http));
        return JsonResult.Single(200, "rule", w => L7RuleJson.Write(w, rule, fields));
    }

    /// <summary>Load balancer, then the policy, then its listener: the fixed lock order of every rule change.</summary>
    private static async Task LockParentsAsync(WriteScope s, Parent parent, CancellationToken cancellationToken)
    {
        await s.LockLoadBalancerForChildAsync(parent.LoadBalancerId, cancellationToken);
        await s.LockL7PolicyAsync(parent.Policy.Id, ProvisioningStatus.PendingUpdate, cancellationToken);
        await s.MarkListenersPendingUpdateAsync([parent.Policy.ListenerId], cancellationToken);
    }

    private static FlowState Flow(Parent parent, string ruleId) =>
        new() { LoadBalancerId = parent.LoadBalancerId, L7PolicyId = parent.Policy.Id, L7RuleId = ruleId };

    private static async Task<IResult> CreateAsync(string l7policy_id, HttpContext http, WriteScope scope, CancellationToken cancellationToken)
    {
        var context = ApiRequest.Context(http);
        var body = JsonBody.Parse(await ApiRequest.ReadBodyAsync(http), "rule", L7RuleRequests.PostAttributes);
        var rule = L7RuleRequests.ParsePost(body, scope.Now);
        var parent = await FindPolicyAsync(scope.Db, l7policy_id, cancellationToken);
        ApiRequest.Authorize(http, "l7rule:post", parent.ProjectId);
        rule.ProjectId = parent.ProjectId;
        rule.L7PolicyId = parent.Policy.Id;

        await scope.RunAsync(async s =>
        {
            if (await s.Db.L7Rules.CountAsync(r => r.L7PolicyId == parent.Policy.Id, cancellationToken) >= Constants.MaxL7RulesPerPolicy)
            {
                throw ApiException.Conflict($"Too many rules on L7 policy {parent.Policy.Id}");
            }

            await s.CheckQuotaAsync(context, rule.ProjectId, QuotaResource.L7Rule, 1, cancellationToken);
            await LockParentsAsync(s, parent, cancellationToken);
            s.Db.L7Rules.Add(rule);
            s.AddJob(JobKinds.L7RuleCreate, Flow(parent, rule.Id));
            return true;
        }, cancellationToken);
        return JsonResult.Single(201, "rule", w => L7RuleJson.Write(w, rule, FieldSet.All));
    }

    private static async Task<IResult> UpdateAsync(string l7policy_id, string id, HttpContext http, WriteScope scope, CancellationToken cancellationToken)
    {
        var body = JsonBody.Parse(await ApiRequest.ReadBodyAsync(http), "rule", L7RuleRequests.PutAttributes);
        var parent = await FindPolicyAsync(scope.Db, l7policy_id, cancellationToken);
        var rule = await FindAsync(http, "l7rule:put", scope.Db, l7policy_id, id, cancellationToken);
        L7RuleRequests.ApplyPut(body, rule);

        await scope.RunAsync(async s =>
        {
            await LockParentsAsync(s, parent, cancellationToken);
            rule.ProvisioningStatus = ProvisioningStatus.PendingUpdate;
            rule.UpdatedAt = s.Now;
            s.Db.L7Rules.Update(rule);
            s.AddJob(JobKinds.L7RuleUpdate, Flow(parent, rule.Id));
            return true;
        }, cancellationToken);
        return JsonResult.Single(200, "rule", w => L7RuleJson.Write(w, rule, FieldSet.All));
    }

    private static async Task<IResult> DeleteAsync(string l7policy_id, string id, HttpContext http, WriteScope scope, CancellationToken cancellationToken)
    {
        var parent = await FindPolicyAsync(scope.Db, l7policy_id, cancellationToken);
        var rule = await FindAsync(http, "l7rule:delete", scope.Db, l7policy_id, id, cancellationToken);
        await scope.RunAsync(async s =>
        {
            await LockParentsAsync(s, parent, cancellationToken);
            await s.Db.L7Rules.Where(r => r.Id == rule.Id)
                .ExecuteUpdateAsync(x => x.SetProperty(r => r.ProvisioningStatus, ProvisioningStatus.PendingDelete).SetProperty(r => r.UpdatedAt, s.Now), cancellationToken);
            s.AddJob(JobKinds.L7RuleDelete, Flow(parent, rule.Id));
            return true;
        }, cancellationToken);
        return Results.StatusCode(204);
    }
}
