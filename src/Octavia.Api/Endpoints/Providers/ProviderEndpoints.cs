using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Octavia.Api.Hosting;
using Octavia.Api.Json;
using Octavia.Api.Paging;

// The folder is Providers/ but the namespace is not "…Endpoints.Providers": that name would hide the
// Hosting.Providers class from every endpoint namespace that calls Providers.Resolve / IsAmphora.
namespace Octavia.Api.Endpoints.ProviderDrivers;

/// <summary><c>/v2/lbaas/providers</c> (reference/api.md §13.1, sample [51], [52]).</summary>
public static class ProviderEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/v2/lbaas/providers");
        group.MapGet("", List).RequirePolicy("provider:get_all");
        group.MapGet("/{provider}/flavor_capabilities", (string provider, HttpContext http) =>
            Capabilities(provider, http, ProviderMetadata.MetadataKind.Flavor, "flavor_capabilities")).RequirePolicy("provider-flavor:get_all");
        group.MapGet("/{provider}/availability_zone_capabilities", (string provider, HttpContext http) =>
            Capabilities(provider, http, ProviderMetadata.MetadataKind.AvailabilityZone, "availability_zone_capabilities"))
            .RequirePolicy("provider-availability-zone:get_all");
    }

    private static IResult List(HttpContext http)
    {
        var settings = ApiRequest.Settings(http);
        var fields = ListQuery.ParseFields(http.Request.Query, settings);
        return new JsonResult(200, w => WriteList(w, "providers", Providers.Enabled(settings), fields));
    }

    /// <summary>The provider's metadata keys; upstream filters them by exact <c>name</c> / <c>description</c> and ignores other query keys.</summary>
    private static IResult Capabilities(string provider, HttpContext http, ProviderMetadata.MetadataKind kind, string envelope)
    {
        var settings = ApiRequest.Settings(http);
        ProviderMetadata.Require(settings, provider);
        var query = http.Request.Query;
        var items = ProviderMetadata.Capabilities(provider, kind);
        if (query.TryGetValue("name", out var name) && !string.IsNullOrEmpty(name))
        {
            items = items.Where(c => c.Name == name.ToString());
        }

        if (query.TryGetValue("description", out var description) && !string.IsNullOrEmpty(description))
        {
            items = items.Where(c => c.Description == description.ToString());
        }

        var fields = ListQuery.ParseFields(query, settings);
        var list = items.ToList();
        return new JsonResult(200, w => WriteList(w, envelope, list, fields));
    }

    private static void WriteList(System.Text.Json.Utf8JsonWriter writer, string envelope, IEnumerable<(string Name, string Description)> items, FieldSet fields)
    {
        writer.WriteStartObject();
        writer.WriteStartArray(envelope);
        foreach (var (name, description) in items)
        {
            var w = new ResourceWriter(writer, fields);
            writer.WriteStartObject();
            w.String("name", name);
            w.String("description", description);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
