using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Octavia.Api.Faults;
using Octavia.Api.Hosting;
using Octavia.Api.Json;

namespace Octavia.Api.Paging;

/// <summary>Runs a collection GET: parse the list features, fetch one page, and hand back what the links need.</summary>
public static class Listing
{
    public sealed record Page<T>(List<T> Items, ListQuery Query);

    /// <summary>
    /// The 200 answer of a collection GET: <c>{"&lt;listKey&gt;": [...], "&lt;linksKey&gt;": [...]}</c>, each item
    /// written by <paramref name="writeItem"/> with the caller's <c>fields=</c>.
    /// </summary>
    public static JsonResult Respond<T>(HttpContext http, Page<T> page, string listKey, string linksKey, Func<T, string> id,
        Action<System.Text.Json.Utf8JsonWriter, T, FieldSet> writeItem)
    {
        var baseUri = ApiRequest.Settings(http).ApiBaseUri;
        return new JsonResult(200, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray(listKey);
            foreach (var item in page.Items)
            {
                writeItem(w, item, page.Query.Fields);
            }

            w.WriteEndArray();
            page.Query.WriteLinks(w, linksKey, http.Request, baseUri,
                page.Items.Count > 0 ? id(page.Items[0]) : null, page.Items.Count > 0 ? id(page.Items[^1]) : null, page.Items.Count);
            w.WriteEndObject();
        });
    }

    public static Task<Page<T>> FetchAsync<T>(HttpContext http, IQueryable<T> source, ResourceAttributes<T> attributes,
        Func<string, IQueryable<T>> byId, CancellationToken cancellationToken)
        where T : class =>
        FetchAsync(http, source, attributes, byId, x => x, cancellationToken);

    /// <summary>
    /// Like <see cref="FetchAsync{T}(HttpContext, IQueryable{T}, ResourceAttributes{T}, Func{string, IQueryable{T}}, CancellationToken)"/>,
    /// projecting each row of the page in the same query (for example to fetch related ids in one round trip).
    /// </summary>
    public static async Task<Page<TResult>> FetchAsync<T, TResult>(HttpContext http, IQueryable<T> source, ResourceAttributes<T> attributes,
        Func<string, IQueryable<T>> byId, System.Linq.Expressions.Expression<Func<T, TResult>> projection, CancellationToken cancellationToken)
        where T : class
    {
        var query = ListQuery.Parse(http.Request.Query, ApiRequest.Settings(http));
        var (filtered, sort) = query.Apply(source, attributes);
        T? marker = null;
        if (query.Marker is not null)
        {
            marker = await byId(query.Marker).FirstOrDefaultAsync(cancellationToken)
                ?? throw ApiException.BadRequest($"Supplied pagination marker '{query.Marker}' is not valid.");
        }

        var items = await query.Page(filtered, sort, marker).Select(projection).ToListAsync(cancellationToken);
        if (query.PageReverse)
        {
            items.Reverse();
        }

        return new Page<TResult>(items, query);
    }
}
