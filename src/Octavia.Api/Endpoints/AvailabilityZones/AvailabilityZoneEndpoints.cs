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

namespace Octavia.Api.Endpoints.AvailabilityZones;

/// <summary><c>/v2/lbaas/availabilityzones</c>, keyed by name (reference/api.md §13.4).</summary>
public static class AvailabilityZoneEndpoints
{
    private const string Resource = "Availability Zone";

    private static readonly HashSet<string> PostAttributes = ["name", "description", "enabled", "availability_zone_profile_id"];
    private static readonly HashSet<string> PutAttributes = ["description", "enabled"];

    private static readonly ResourceAttributes<AvailabilityZone> Attributes = new(new Dictionary<string, string>
    {
        ["name"] = "Name",
        ["description"] = "Description",
        ["enabled"] = "Enabled",
        ["availability_zone_profile_id"] = "AvailabilityZoneProfileId",
    });

    public static void Map(IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/v2/lbaas/availabilityzones");
        group.MapGet("", ListAsync).RequirePolicy("availability-zone:get_all");
        group.MapPost("", CreateAsync).RequirePolicy("availability-zone:post");
        group.MapGet("/{name}", GetAsync).RequirePolicy("availability-zone:get_one");
        group.MapPut("/{name}", UpdateAsync).RequirePolicy("availability-zone:put");
        group.MapDelete("/{name}", DeleteAsync).RequirePolicy("availability-zone:delete");
    }

    /// <summary>The nil UUID is reserved (deleted load balancers point at it): 404 on every verb, as upstream.</summary>
    private static async Task<AvailabilityZone> FindAsync(OctaviaDbContext db, string name, bool tracking, CancellationToken cancellationToken)
    {
        if (name == Constants.NilUuid)
        {
            throw ApiException.NotFound(Resource, name);
        }

        var query = tracking ? db.AvailabilityZones.AsTracking() : db.AvailabilityZones;
        return await query.FirstOrDefaultAsync(z => z.Name == name, cancellationToken) ?? throw ApiException.NotFound(Resource, name);
    }

    private static async Task<IResult> ListAsync(HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken)
    {
        var visible = db.AvailabilityZones.Where(z => z.Name != Constants.NilUuid);
        var page = await Listing.FetchAsync(http, visible, Attributes, name => visible.Where(z => z.Name == name), cancellationToken);
        return Listing.Respond(http, page, "availability_zones", "availability_zones_links", x => x.Name, (w, zone, fields) => AvailabilityZoneJson.Write(w, zone, fields));
    }

    private static async Task<IResult> GetAsync(string name, HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken)
    {
        var zone = await FindAsync(db, name, tracking: false, cancellationToken);
        var fields = ListQuery.ParseFields(http.Request.Query, ApiRequest.Settings(http));
        return JsonResult.Single(200, "availability_zone", w => AvailabilityZoneJson.Write(w, zone, fields));
    }

    private static async Task<IResult> CreateAsync(HttpContext http, WriteScope scope, CancellationToken cancellationToken)
    {
        var body = JsonBody.Parse(await ApiRequest.ReadBodyAsync(http), "availability_zone", PostAttributes);
        var name = JsonBody.Required("name", body.String("name"));
        var description = body.String("description").Value;
        var enabled = JsonBody.NotNull("enabled", body.Bool("enabled")).Value ?? true;
        var profileId = JsonBody.Required("availability_zone_profile_id", body.Uuid("availability_zone_profile_id"));

        var zone = new AvailabilityZone { Name = name, Description = description ?? "", Enabled = enabled, AvailabilityZoneProfileId = profileId };
        await scope.RunAsync(async s =>
        {
            // Upstream relies on a foreign key here (500); a missing referenced object is a 400 elsewhere (reference/api.md §3.2).
            if (profileId == Constants.NilUuid || !await s.Db.AvailabilityZoneProfiles.AnyAsync(p => p.Id == profileId, cancellationToken))
            {
                throw ApiException.BadRequest($"Availability Zone Profile {profileId} not found.");
            }

            if (name == Constants.NilUuid || await s.Db.AvailabilityZones.AnyAsync(z => z.Name == name, cancellationToken))
            {
                throw ApiException.Conflict($"A availability zone of {name} already exists.");
            }

            s.Db.AvailabilityZones.Add(zone);
            return true;
        }, cancellationToken);
        return JsonResult.Single(201, "availability_zone", w => AvailabilityZoneJson.Write(w, zone, FieldSet.All));
    }

    private static async Task<IResult> UpdateAsync(string name, HttpContext http, WriteScope scope, CancellationToken cancellationToken)
    {
        var body = JsonBody.Parse(await ApiRequest.ReadBodyAsync(http), "availability_zone", PutAttributes);
        var description = body.String("description");
        var enabled = JsonBody.NotNull("enabled", body.Bool("enabled"));

        var zone = await scope.RunAsync(async s =>
        {
            var row = await FindAsync(s.Db, name, tracking: true, cancellationToken);
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
        return JsonResult.Single(200, "availability_zone", w => AvailabilityZoneJson.Write(w, zone, FieldSet.All));
    }

    private static async Task<IResult> DeleteAsync(string name, WriteScope scope, CancellationToken cancellationToken)
    {
        await scope.RunAsync(async s =>
        {
            var row = await FindAsync(s.Db, name, tracking: true, cancellationToken);
            if (await s.Db.LoadBalancers.AnyAsync(lb => lb.AvailabilityZone == name && lb.ProvisioningStatus != ProvisioningStatus.Deleted, cancellationToken))
            {
                throw ApiException.Conflict($"{Resource} {name} is in use and cannot be modified.");
            }

            // Deleted load balancers kept for housekeeping point at the reserved nil zone instead (as upstream does).
            await s.Db.LoadBalancers.Where(lb => lb.AvailabilityZone == name)
                .ExecuteUpdateAsync(x => x.SetProperty(lb => lb.AvailabilityZone, Constants.NilUuid), cancellationToken);
            s.Db.AvailabilityZones.Remove(row);
            return true;
        }, cancellationToken);
        return Results.StatusCode(204);
    }
}
