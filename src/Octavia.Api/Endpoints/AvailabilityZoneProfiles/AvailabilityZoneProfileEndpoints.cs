using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Octavia.Api.Endpoints.ProviderDrivers;
using Octavia.Api.Faults;
using Octavia.Api.Hosting;
using Octavia.Api.Json;
using Octavia.Api.Paging;
using Octavia.Core.Model;
using Octavia.Db;

namespace Octavia.Api.Endpoints.AvailabilityZoneProfiles;

/// <summary><c>/v2/lbaas/availabilityzoneprofiles</c> (reference/api.md §13.5).</summary>
public static class AvailabilityZoneProfileEndpoints
{
    private const string DataOption = "availability_zone_data";
    private const int MaxDataLength = 4096;

    private static readonly HashSet<string> BodyAttributes = ["name", "provider_name", DataOption];

    private static readonly ResourceAttributes<AvailabilityZoneProfile> Attributes = new(new Dictionary<string, string>
    {
        ["id"] = "Id",
        ["name"] = "Name",
        ["provider_name"] = "ProviderName",
        [DataOption] = "AvailabilityZoneData",
    });

    public static void Map(IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/v2/lbaas/availabilityzoneprofiles");
        group.MapGet("", ListAsync);
        group.MapPost("", CreateAsync);
        group.MapGet("/{id}", GetAsync);
        group.MapPut("/{id}", UpdateAsync);
        group.MapDelete("/{id}", DeleteAsync);
    }

    // Upstream words the reserved-id 404 "Availability Zone Profile" and the lookup 404 "Availability Zone Profile" (its model's name).
    private static void RejectNilId(string id)
    {
        if (id == Constants.NilUuid)
        {
            throw ApiException.NotFound("Availability Zone Profile", id);
        }
    }

    private static async Task<AvailabilityZoneProfile> FindAsync(OctaviaDbContext db, string id, bool tracking, CancellationToken cancellationToken)
    {
        RejectNilId(id);
        var query = tracking ? db.AvailabilityZoneProfiles.AsTracking() : db.AvailabilityZoneProfiles;
        return await query.FirstOrDefaultAsync(p => p.Id == id, cancellationToken) ?? throw ApiException.NotFound("Availability Zone Profile", id);
    }

    private static async Task<IResult> ListAsync(HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken)
    {
        var visible = db.AvailabilityZoneProfiles.Where(p => p.Id != Constants.NilUuid);
        var page = await Listing.FetchAsync(http, visible, Attributes, id => visible.Where(p => p.Id == id), cancellationToken);
        var settings = ApiRequest.Settings(http);
        return new JsonResult(200, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("availability_zone_profiles");
            foreach (var profile in page.Items)
            {
                AvailabilityZoneProfileJson.Write(w, profile, page.Query.Fields);
            }

            w.WriteEndArray();

            // Upstream's links key has no "s" (reference/api.md §1).
            page.Query.WriteLinks(w, "availability_zone_profile_links", http.Request, settings.ApiBaseUri, page.Items.FirstOrDefault()?.Id, page.Items.LastOrDefault()?.Id, page.Items.Count);
            w.WriteEndObject();
        });
    }

    private static async Task<IResult> GetAsync(string id, HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken)
    {
        var profile = await FindAsync(db, id, tracking: false, cancellationToken);
        var fields = ListQuery.ParseFields(http.Request.Query, ApiRequest.Settings(http));
        return JsonResult.Single(200, "availability_zone_profile", w => AvailabilityZoneProfileJson.Write(w, profile, fields));
    }

    private static async Task<IResult> CreateAsync(HttpContext http, WriteScope scope, CancellationToken cancellationToken)
    {
        var body = JsonBody.Parse(await ApiRequest.ReadBodyAsync(http), "availability_zone_profile", BodyAttributes);
        var name = JsonBody.Required("name", body.String("name"));
        var provider = JsonBody.Required("provider_name", body.String("provider_name"));
        var data = JsonBody.Required(DataOption, body.String(DataOption, MaxDataLength));
        var metadata = ProviderMetadata.ParseMetadata(data, DataOption);
        ProviderMetadata.Require(ApiRequest.Settings(http), provider);
        ProviderMetadata.Validate(provider, ProviderMetadata.MetadataKind.AvailabilityZone, metadata);

        var profile = new AvailabilityZoneProfile { Id = WriteScope.NewId(), Name = name, ProviderName = provider, AvailabilityZoneData = data };
        await scope.RunAsync(s =>
        {
            s.Db.AvailabilityZoneProfiles.Add(profile);
            return Task.FromResult(true);
        }, cancellationToken);
        return JsonResult.Single(201, "availability_zone_profile", w => AvailabilityZoneProfileJson.Write(w, profile, FieldSet.All));
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext http, WriteScope scope, CancellationToken cancellationToken)
    {
        var body = JsonBody.Parse(await ApiRequest.ReadBodyAsync(http), "availability_zone_profile", BodyAttributes);
        var name = body.String("name");
        var provider = body.String("provider_name");
        var data = body.String(DataOption, MaxDataLength);
        RejectNull("name", name);
        RejectNull("provider_name", provider);
        RejectNull(DataOption, data);

        var profile = await scope.RunAsync(async s =>
        {
            var row = await FindAsync(s.Db, id, tracking: true, cancellationToken);

            // What an availability zone already promised its load balancers cannot change under them.
            if ((provider.Present || data.Present) && await s.Db.AvailabilityZones.AnyAsync(z => z.AvailabilityZoneProfileId == id, cancellationToken))
            {
                throw ApiException.Conflict($"Availability Zone Profile {id} is in use and cannot be modified.");
            }

            if (data.Present)
            {
                var metadata = ProviderMetadata.ParseMetadata(data.Value!, DataOption);
                var driver = ProviderMetadata.Require(ApiRequest.Settings(http), provider.Present ? provider.Value! : row.ProviderName);
                ProviderMetadata.Validate(driver, ProviderMetadata.MetadataKind.AvailabilityZone, metadata);
                row.AvailabilityZoneData = data.Value!;
            }

            if (provider.Present)
            {
                row.ProviderName = provider.Value!;
            }

            if (name.Present)
            {
                row.Name = name.Value!;
            }

            return row;
        }, cancellationToken);
        return JsonResult.Single(200, "availability_zone_profile", w => AvailabilityZoneProfileJson.Write(w, profile, FieldSet.All));
    }

    private static async Task<IResult> DeleteAsync(string id, WriteScope scope, CancellationToken cancellationToken)
    {
        await scope.RunAsync(async s =>
        {
            RejectNilId(id);
            if (await s.Db.AvailabilityZones.AnyAsync(z => z.AvailabilityZoneProfileId == id, cancellationToken))
            {
                throw ApiException.Conflict($"Availability Zone Profile {id} is in use and cannot be modified.");
            }

            var row = await FindAsync(s.Db, id, tracking: true, cancellationToken);
            s.Db.AvailabilityZoneProfiles.Remove(row);
            return true;
        }, cancellationToken);
        return Results.StatusCode(204);
    }

    /// <summary>Upstream's PUT refuses an explicit null with InvalidOption ("None is not a valid option for name").</summary>
    private static void RejectNull(string option, Opt<string?> value)
    {
        if (value.Present && value.Value is null)
        {
            throw ApiException.BadRequest($"None is not a valid option for {option}");
        }
    }
}
