using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Octavia.Api.Faults;
using Octavia.Api.Hosting;
using Octavia.Api.Json;
using Octavia.Api.Paging;
using Octavia.Core.Model;
using Octavia.Core.Statuses;
using Octavia.Db;

namespace Octavia.Api.Endpoints.Flavors;

/// <summary><c>/v2/lbaas/flavors</c> (reference/api.md §13.2).</summary>
public static class FlavorEndpoints
{
    private static readonly HashSet<string> PostAttributes = ["name", "description", "enabled", "flavor_profile_id"];
    private static readonly HashSet<string> PutAttributes = ["name", "description", "enabled"];

    private static readonly ResourceAttributes<Flavor> Attributes = new(new Dictionary<string, string>
    {
        ["id"] = "Id",
        ["name"] = "Name",
        ["description"] = "Description",
        ["enabled"] = "Enabled",
        ["flavor_profile_id"] = "FlavorProfileId",
    });

    public static void Map(IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/v2/lbaas/flavors");
        group.MapGet("", ListAsync).RequirePolicy("flavor:get_all");
        group.MapPost("", CreateAsync).RequirePolicy("flavor:post");
        group.MapGet("/{id}", GetAsync).RequirePolicy("flavor:get_one");
        group.MapPut("/{id}", UpdateAsync).RequirePolicy("flavor:put");
        group.MapDelete("/{id}", DeleteAsync).RequirePolicy("flavor:delete");
    }

    /// <summary>The nil UUID is reserved (upstream keeps a placeholder flavor there for deleted load balancers): 404 on every verb.</summary>
    private static async Task<Flavor> FindAsync(OctaviaDbContext db, string id, bool tracking, CancellationToken cancellationToken)
    {
        if (id == Constants.NilUuid)
        {
            throw ApiException.NotFound("Flavor", id);
        }

        var query = tracking ? db.Flavors.AsTracking() : db.Flavors;
        return await query.FirstOrDefaultAsync(f => f.Id == id, cancellationToken) ?? throw ApiException.NotFound("Flavor", id);
    }

    private static async Task<IResult> ListAsync(HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken)
    {
        var visible = db.Flavors.Where(f => f.Id != Constants.NilUuid);
        var page = await Listing.FetchAsync(http, visible, Attributes, id => visible.Where(f => f.Id == id), cancellationToken);
        return Listing.Respond(http, page, "flavors", "flavors_links", x => x.Id, (w, flavor, fields) => FlavorJson.Write(w, flavor, fields));
    }

    private static async Task<IResult> GetAsync(string id, HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken)
    {
        var flavor = await FindAsync(db, id, tracking: false, cancellationToken);
        var fields = ListQuery.ParseFields(http.Request.Query, ApiRequest.Settings(http));
        return JsonResult.Single(200, "flavor", w => FlavorJson.Write(w, flavor, fields));
    }

    private static async Task<IResult> CreateAsync(HttpContext http, WriteScope scope, CancellationToken cancellationToken)
    {
        var body = JsonBody.Parse(await ApiRequest.ReadBodyAsync(http), "flavor", PostAttributes);
        var name = JsonBody.Required("name", body.String("name"));
        var description = body.String("description").Value;
        var enabled = JsonBody.NotNull("enabled", body.Bool("enabled")).Value ?? true;
        var profileId = JsonBody.Required("flavor_profile_id", body.Uuid("flavor_profile_id"));

        var flavor = new Flavor { Id = WriteScope.NewId(), Name = name, Description = description ?? "", Enabled = enabled, FlavorProfileId = profileId };
        await scope.RunAsync(async s =>
        {
            // Upstream leaves this to a foreign key (and answers 500); a referenced object that does not
            // exist is a 400 everywhere else in the API (reference/api.md §3.2).
            if (profileId == Constants.NilUuid || !await s.Db.FlavorProfiles.AnyAsync(p => p.Id == profileId, cancellationToken))
            {
                throw ApiException.BadRequest($"Flavor profile {profileId} not found.");
            }

            await RejectDuplicateNameAsync(s.Db, name, cancellationToken);
            s.Db.Flavors.Add(flavor);
            return true;
        }, cancellationToken);
        return JsonResult.Single(201, "flavor", w => FlavorJson.Write(w, flavor, FieldSet.All));
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext http, WriteScope scope, CancellationToken cancellationToken)
    {
        var body = JsonBody.Parse(await ApiRequest.ReadBodyAsync(http), "flavor", PutAttributes);
        var name = JsonBody.NotNull("name", body.String("name"));
        var description = body.String("description");
        var enabled = JsonBody.NotNull("enabled", body.Bool("enabled"));

        var flavor = await scope.RunAsync(async s =>
        {
            var row = await FindAsync(s.Db, id, tracking: true, cancellationToken);
            if (name.Present && name.Value != row.Name)
            {
                await RejectDuplicateNameAsync(s.Db, name.Value!, cancellationToken);
                row.Name = name.Value!;
            }

            if (description.Present)
            {
                row.Description = description.Value ?? "";
            }

            if (enabled.Present)
            {
                row.Enabled = enabled.Value!.Value;
            }

            return row;
        }, cancellationToken);
        return JsonResult.Single(200, "flavor", w => FlavorJson.Write(w, flavor, FieldSet.All));
    }

    private static async Task<IResult> DeleteAsync(string id, WriteScope scope, CancellationToken cancellationToken)
    {
        await scope.RunAsync(async s =>
        {
            var row = await FindAsync(s.Db, id, tracking: true, cancellationToken);
            if (await s.Db.LoadBalancers.AnyAsync(lb => lb.FlavorId == id && lb.ProvisioningStatus != ProvisioningStatus.Deleted, cancellationToken))
            {
                throw ApiException.Conflict($"Flavor {id} is in use and cannot be modified.");
            }

            // Deleted load balancers kept for housekeeping point at the reserved nil flavor instead (as upstream does).
            await s.Db.LoadBalancers.Where(lb => lb.FlavorId == id)
                .ExecuteUpdateAsync(x => x.SetProperty(lb => lb.FlavorId, Constants.NilUuid), cancellationToken);
            s.Db.Flavors.Remove(row);
            return true;
        }, cancellationToken);
        return Results.StatusCode(204);
    }

    private static async Task RejectDuplicateNameAsync(OctaviaDbContext db, string name, CancellationToken cancellationToken)
    {
        if (await db.Flavors.AnyAsync(f => f.Name == name, cancellationToken))
        {
            throw ApiException.Conflict($"A flavor of {name} already exists.");
        }
    }
}
