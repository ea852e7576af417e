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

namespace Octavia.Api.Endpoints.ProviderProfiles;

/// <summary>
/// Flavor profiles (<c>/v2/lbaas/flavorprofiles</c>, reference/api.md §13.3) and availability-zone
/// profiles (<c>/v2/lbaas/availabilityzoneprofiles</c>, §13.5): the same CRUD over a provider name and a
/// JSON metadata string that the provider validates, each described by a <see cref="ProfileKind{T}"/>.
/// </summary>
public static class ProviderProfileEndpoints
{
    private const int MaxDataLength = 4096;

    // Upstream words the reserved-id 404 "Flavor profile" and the lookup 404 "Flavor Profile" (its model's
    // name), and likewise for availability zone profiles.
    public static readonly ProfileKind<FlavorProfile> Flavor = new(
        "/v2/lbaas/flavorprofiles", "flavorprofile", "flavorprofiles", "flavorprofile_links", "flavor_data", nameof(FlavorProfile.FlavorData),
        "Flavor profile", "Flavor Profile", ProviderMetadata.MetadataKind.Flavor,
        (id, name, provider, data) => new FlavorProfile { Id = id, Name = name, ProviderName = provider, FlavorData = data },
        p => new ProfileFields(p.Id, p.Name, p.ProviderName, p.FlavorData),
        (p, name, provider, data) =>
        {
            p.Name = name ?? p.Name;
            p.ProviderName = provider ?? p.ProviderName;
            p.FlavorData = data ?? p.FlavorData;
        },
        (db, id, ct) => db.Flavors.AnyAsync(f => f.FlavorProfileId == id, ct));

    public static readonly ProfileKind<AvailabilityZoneProfile> AvailabilityZone = new(
        "/v2/lbaas/availabilityzoneprofiles", "availability_zone_profile", "availability_zone_profiles", "availability_zone_profile_links",
        "availability_zone_data", nameof(AvailabilityZoneProfile.AvailabilityZoneData),
        "Availability Zone Profile", "Availability Zone Profile", ProviderMetadata.MetadataKind.AvailabilityZone,
        (id, name, provider, data) => new AvailabilityZoneProfile { Id = id, Name = name, ProviderName = provider, AvailabilityZoneData = data },
        p => new ProfileFields(p.Id, p.Name, p.ProviderName, p.AvailabilityZoneData),
        (p, name, provider, data) =>
        {
            p.Name = name ?? p.Name;
            p.ProviderName = provider ?? p.ProviderName;
            p.AvailabilityZoneData = data ?? p.AvailabilityZoneData;
        },
        (db, id, ct) => db.AvailabilityZones.AnyAsync(z => z.AvailabilityZoneProfileId == id, ct));

    public static void Map(IEndpointRouteBuilder api)
    {
        Map(api, Flavor);
        Map(api, AvailabilityZone);
    }

    private static void Map<T>(IEndpointRouteBuilder api, ProfileKind<T> kind)
        where T : class
    {
        var attributes = new ResourceAttributes<T>(new Dictionary<string, string>
        {
            ["id"] = "Id",
            ["name"] = "Name",
            ["provider_name"] = "ProviderName",
            [kind.DataOption] = kind.DataProperty,
        });
        HashSet<string> bodyAttributes = ["name", "provider_name", kind.DataOption];

        var policy = kind.MetadataKind == ProviderMetadata.MetadataKind.Flavor ? "flavor-profile:" : "availability-zone-profile:";
        var group = api.MapGroup(kind.Route);
        group.MapGet("", (HttpContext http, OctaviaDbContext db, CancellationToken ct) => ListAsync(kind, attributes, http, db, ct))
            .RequirePolicy(policy + "get_all");
        group.MapPost("", (HttpContext http, WriteScope scope, CancellationToken ct) => CreateAsync(kind, bodyAttributes, http, scope, ct))
            .RequirePolicy(policy + "post");
        group.MapGet("/{id}", (string id, HttpContext http, OctaviaDbContext db, CancellationToken ct) => GetAsync(kind, id, http, db, ct))
            .RequirePolicy(policy + "get_one");
        group.MapPut("/{id}", (string id, HttpContext http, WriteScope scope, CancellationToken ct) => UpdateAsync(kind, bodyAttributes, id, http, scope, ct))
            .RequirePolicy(policy + "put");
        group.MapDelete("/{id}", (string id, WriteScope scope, CancellationToken ct) => DeleteAsync(kind, id, scope, ct))
            .RequirePolicy(policy + "delete");
    }

    private static IQueryable<T> Visible<T>(OctaviaDbContext db)
        where T : class =>
        db.Set<T>().Where(p => EF.Property<string>(p, "Id") != Constants.NilUuid);

    private static async Task<T> FindAsync<T>(ProfileKind<T> kind, OctaviaDbContext db, string id, bool tracking, CancellationToken cancellationToken)
        where T : class
    {
        RejectNilId(kind, id);
        var query = tracking ? db.Set<T>().AsTracking() : db.Set<T>();
        return await query.FirstOrDefaultAsync(p => EF.Property<string>(p, "Id") == id, cancellationToken)
            ?? throw ApiException.NotFound(kind.NotFoundResource, id);
    }

    private static void RejectNilId<T>(ProfileKind<T> kind, string id)
        where T : class
    {
        if (id == Constants.NilUuid)
        {
            throw ApiException.NotFound(kind.NilIdResource, id);
        }
    }

    private static async Task<IResult> ListAsync<T>(ProfileKind<T> kind, ResourceAttributes<T> attributes, HttpContext http, OctaviaDbContext db,
        CancellationToken cancellationToken)
        where T : class
    {
        var page = await Listing.FetchAsync(http, Visible<T>(db), attributes, id => Visible<T>(db).Where(p => EF.Property<string>(p, "Id") == id), cancellationToken);
        // Upstream's links keys have no "s" (reference/api.md §1).
        return Listing.Respond(http, page, kind.ListKey, kind.LinksKey, p => kind.Read(p).Id, (w, profile, fields) => Write(kind, w, profile, fields));
    }

    private static async Task<IResult> GetAsync<T>(ProfileKind<T> kind, string id, HttpContext http, OctaviaDbContext db, CancellationToken cancellationToken)
        where T : class
    {
        var profile = await FindAsync(kind, db, id, tracking: false, cancellationToken);
        var fields = ListQuery.ParseFields(http.Request.Query, ApiRequest.Settings(http));
        return JsonResult.Single(200, kind.Envelope, w => Write(kind, w, profile, fields));
    }

    private static async Task<IResult> CreateAsync<T>(ProfileKind<T> kind, HashSet<string> bodyAttributes, HttpContext http, WriteScope scope,
        CancellationToken cancellationToken)
        where T : class
    {
        var body = JsonBody.Parse(await ApiRequest.ReadBodyAsync(http), kind.Envelope, bodyAttributes);
        var name = JsonBody.Required("name", body.String("name"));
        var provider = JsonBody.Required("provider_name", body.String("provider_name"));
        var data = JsonBody.Required(kind.DataOption, body.String(kind.DataOption, MaxDataLength));
        var metadata = ProviderMetadata.ParseMetadata(data, kind.DataOption);
        ProviderMetadata.Require(ApiRequest.Settings(http), provider);
        ProviderMetadata.Validate(provider, kind.MetadataKind, metadata);

        var profile = kind.Create(WriteScope.NewId(), name, provider, data);
        await scope.RunAsync(s =>
        {
            s.Db.Set<T>().Add(profile);
            return Task.FromResult(true);
        }, cancellationToken);
        return JsonResult.Single(201, kind.Envelope, w => Write(kind, w, profile, FieldSet.All));
    }

    private static async Task<IResult> UpdateAsync<T>(ProfileKind<T> kind, HashSet<string> bodyAttributes, string id, HttpContext http, WriteScope scope,
        CancellationToken cancellationToken)
        where T : class
    {
        var body = JsonBody.Parse(await ApiRequest.ReadBodyAsync(http), kind.Envelope, bodyAttributes);
        var name = body.String("name");
        var provider = body.String("provider_name");
        var data = body.String(kind.DataOption, MaxDataLength);
        RejectNull("name", name);
        RejectNull("provider_name", provider);
        RejectNull(kind.DataOption, data);

        var profile = await scope.RunAsync(async s =>
        {
            var row = await FindAsync(kind, s.Db, id, tracking: true, cancellationToken);

            // What a flavor or zone already promised its load balancers cannot change under them.
            if ((provider.Present || data.Present) && await kind.InUseAsync(s.Db, id, cancellationToken))
            {
                throw InUse(kind, id);
            }

            if (data.Present)
            {
                var metadata = ProviderMetadata.ParseMetadata(data.Value!, kind.DataOption);
                var driver = ProviderMetadata.Require(ApiRequest.Settings(http), provider.Present ? provider.Value! : kind.Read(row).ProviderName);
                ProviderMetadata.Validate(driver, kind.MetadataKind, metadata);
            }

            kind.Update(row, name.Value, provider.Value, data.Value);
            return row;
        }, cancellationToken);
        return JsonResult.Single(200, kind.Envelope, w => Write(kind, w, profile, FieldSet.All));
    }

    private static async Task<IResult> DeleteAsync<T>(ProfileKind<T> kind, string id, WriteScope scope, CancellationToken cancellationToken)
        where T : class
    {
        await scope.RunAsync(async s =>
        {
            RejectNilId(kind, id);
            if (await kind.InUseAsync(s.Db, id, cancellationToken))
            {
                throw InUse(kind, id);
            }

            var row = await FindAsync(kind, s.Db, id, tracking: true, cancellationToken);
            s.Db.Set<T>().Remove(row);
            return true;
        }, cancellationToken);
        return Results.StatusCode(204);
    }

    private static ApiException InUse<T>(ProfileKind<T> kind, string id)
        where T : class =>
        ApiException.Conflict($"{kind.NilIdResource} {id} is in use and cannot be modified.");

    /// <summary>The wire shape (upstream's FlavorProfileResponse / AvailabilityZoneProfileResponse).</summary>
    private static void Write<T>(ProfileKind<T> kind, System.Text.Json.Utf8JsonWriter writer, T profile, FieldSet fields)
        where T : class
    {
        var p = kind.Read(profile);
        var w = new ResourceWriter(writer, fields);
        writer.WriteStartObject();
        w.String("id", p.Id);
        w.String("name", p.Name);
        w.String("provider_name", p.ProviderName);
        w.String(kind.DataOption, p.Data);
        writer.WriteEndObject();
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
