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

namespace Octavia.Api.Endpoints.FlavorProfiles;

/// <summary><c>/v2/lbaas/flavorprofiles</c> (reference/api.md §13.3).</summary>
public static class FlavorProfileEndpoints
{
    private const string DataOption = "flavor_data";
    private const int MaxDataLength = 4096;

    private static readonly HashSet<string> BodyAttributes = ["name", "provider_name", DataOption];

    private static readonly ResourceAttributes<FlavorProfile> Attributes = new(new Dictionary<string, string>
    {
        ["id"] = "Id",
        ["name"] = "Name",
        ["provider_name"] = "ProviderName",
        [DataOption] = "FlavorData",
    });

    public static void Map(IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/v2/lbaas/flavorprofiles");
        group.MapGet("", ListAsync);
        group.MapPost("", CreateAsync);
        group.MapGet("/{id}", GetAsync);
        group.MapPut("/{id}", UpdateAsync);
        group.MapDelete("/{id}", DeleteAsync);
    }

    // Upstream words the reserved-id 404 "Flavor profile" and the lookup 404 "Flavor Profile" (its model's name).
    private static void RejectNilId(string id)
    {
        if (id == Constants.NilUuid)
        {
            throw ApiException.NotFound("Flavor profile", id);
        }
    }

    private static async Task<FlavorProfile> FindAsync(OctaviaDbContext db, string id, bool tracking, CancellationToken cancellationToken)
    {
        RejectNilId(id);
        var query = tracking ? db.FlavorProfiles.AsTracking() : db.FlavorProfiles;
        return await query.FirstOrDefaultAsync(p => p.Id == id, cancellationToken) ?? throw ApiException.NotFound("Flavor Profile", id);
    }

    private static async Task<IResult> ListAsync(HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken)
    {
        var visible = db.FlavorProfiles.Where(p => p.Id != Constants.NilUuid);
        var page = await Listing.FetchAsync(http, visible, Attributes, id => visible.Where(p => p.Id == id), cancellationToken);
        var settings = ApiRequest.Settings(http);
        return new JsonResult(200, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("flavorprofiles");
            foreach (var profile in page.Items)
            {
                FlavorProfileJson.Write(w, profile, page.Query.Fields);
            }

            w.WriteEndArray();

            // Upstream's links key has no "s" (reference/api.md §1).
            page.Query.WriteLinks(w, "flavorprofile_links", http.Request, settings.ApiBaseUri, page.Items.FirstOrDefault()?.Id, page.Items.LastOrDefault()?.Id, page.Items.Count);
            w.WriteEndObject();
        });
    }

    private static async Task<IResult> GetAsync(string id, HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken)
    {
        var profile = await FindAsync(db, id, tracking: false, cancellationToken);
        var fields = ListQuery.ParseFields(http.Request.Query, ApiRequest.Settings(http));
        return JsonResult.Single(200, "flavorprofile", w => FlavorProfileJson.Write(w, profile, fields));
    }

    private static async Task<IResult> CreateAsync(HttpContext http, WriteScope scope, CancellationToken cancellationToken)
    {
        var body = JsonBody.Parse(await ApiRequest.ReadBodyAsync(http), "flavorprofile", BodyAttributes);
        var name = JsonBody.Required("name", body.String("name"));
        var provider = JsonBody.Required("provider_name", body.String("provider_name"));
        var data = JsonBody.Required(DataOption, body.String(DataOption, MaxDataLength));
        var metadata = ProviderMetadata.ParseMetadata(data, DataOption);
        ProviderMetadata.Require(ApiRequest.Settings(http), provider);
        ProviderMetadata.Validate(provider, ProviderMetadata.MetadataKind.Flavor, metadata);

        var profile = new FlavorProfile { Id = WriteScope.NewId(), Name = name, ProviderName = provider, FlavorData = data };
        await scope.RunAsync(s =>
        {
            s.Db.FlavorProfiles.Add(profile);
            return Task.FromResult(true);
        }, cancellationToken);
        return JsonResult.Single(201, "flavorprofile", w => FlavorProfileJson.Write(w, profile, FieldSet.All));
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext http, WriteScope scope, CancellationToken cancellationToken)
    {
        var body = JsonBody.Parse(await ApiRequest.ReadBodyAsync(http), "flavorprofile", BodyAttributes);
        var name = body.String("name");
        var provider = body.String("provider_name");
        var data = body.String(DataOption, MaxDataLength);
        RejectNull("name", name);
        RejectNull("provider_name", provider);
        RejectNull(DataOption, data);

        var profile = await scope.RunAsync(async s =>
        {
            var row = await FindAsync(s.Db, id, tracking: true, cancellationToken);

            // What a flavor already promised its load balancers cannot change under them.
            if ((provider.Present || data.Present) && await s.Db.Flavors.AnyAsync(f => f.FlavorProfileId == id, cancellationToken))
            {
                throw ApiException.Conflict($"Flavor profile {id} is in use and cannot be modified.");
            }

            if (data.Present)
            {
                var metadata = ProviderMetadata.ParseMetadata(data.Value!, DataOption);
                var driver = ProviderMetadata.Require(ApiRequest.Settings(http), provider.Present ? provider.Value! : row.ProviderName);
                ProviderMetadata.Validate(driver, ProviderMetadata.MetadataKind.Flavor, metadata);
                row.FlavorData = data.Value!;
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
        return JsonResult.Single(200, "flavorprofile", w => FlavorProfileJson.Write(w, profile, FieldSet.All));
    }

    private static async Task<IResult> DeleteAsync(string id, WriteScope scope, CancellationToken cancellationToken)
    {
        await scope.RunAsync(async s =>
        {
            RejectNilId(id);
            if (await s.Db.Flavors.AnyAsync(f => f.FlavorProfileId == id, cancellationToken))
            {
                throw ApiException.Conflict($"Flavor profile {id} is in use and cannot be modified.");
            }

            var row = await FindAsync(s.Db, id, tracking: true, cancellationToken);
            s.Db.FlavorProfiles.Remove(row);
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
