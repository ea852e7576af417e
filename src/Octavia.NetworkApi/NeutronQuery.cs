using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Octavia.Http;

namespace Octavia.NetworkApi;

/// <summary>
/// Neutron's list and show query: a filter on any attribute (<c>?name=x</c>, repeated for "any of",
/// <c>?router:external=True</c>, <c>?fixed_ips=ip_address=192.0.2.5</c>), <c>fields=</c>, <c>sort_key</c>/
/// <c>sort_dir</c>, and <c>limit</c>/<c>marker</c> pages with a <c>next</c> link. The tables of a local
/// cloud are small, so filters apply to the objects as shown rather than being translated to SQL.
/// </summary>
public static class NeutronQuery
{
    private static readonly HashSet<string> Controls = ["fields", "sort_key", "sort_dir", "limit", "marker", "page_reverse", "verbose"];

    /// <summary>Port filters the SDK sends that are not attributes: they look into <c>fixed_ips</c>.</summary>
    private static readonly HashSet<string> FixedIpKeys = ["ip_address", "subnet_id"];

    public static IResult List(HttpContext http, string collection, IEnumerable<JsonObject> items)
    {
        var query = http.Request.Query;
        var matching = items.Where(item => query.Where(q => !Controls.Contains(q.Key)).All(q => Matches(item, q.Key, q.Value))).ToList();
        matching = Sort(matching, query);

        var links = new JsonArray();
        if (query.TryGetValue("limit", out var limitText) && int.TryParse(limitText.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit > 0)
        {
            var marker = query["marker"].ToString();
            var start = marker.Length == 0 ? 0 : matching.FindIndex(i => (string?)i["id"] == marker) + 1;
            var page = matching.Skip(start).Take(limit).ToList();
            if (start + limit < matching.Count && page.Count > 0)
            {
                var next = QueryString.Create(query.Where(q => q.Key != "marker").SelectMany(q => q.Value.Select(v => KeyValuePair.Create(q.Key, v)))
                    .Append(KeyValuePair.Create("marker", (string?)page[^1]["id"]!.GetValue<string>())));
                links.Add(new JsonObject { ["rel"] = "next", ["href"] = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}{http.Request.Path}{next}" });
            }

            matching = page;
        }

        var fields = Fields(query);
        var body = new JsonObject { [collection] = new JsonArray(matching.Select(i => (JsonNode?)Project(i, fields)).ToArray()) };
        if (links.Count > 0)
        {
            body[collection + "_links"] = links;
        }

        return Respond(200, body);
    }

    /// <summary>One object, <c>{"resource": {...}}</c>, cut to <c>fields=</c> when asked.</summary>
    public static IResult Show(HttpContext http, int status, string resource, JsonObject item) =>
        Respond(status, new JsonObject { [resource] = Project(item, Fields(http.Request.Query)) });

    public static IResult Respond(int status, JsonObject body) => new JsonResult(status, w => body.WriteTo(w));

    private static HashSet<string>? Fields(IQueryCollection query)
    {
        // openstacksdk 0.101 (Debian 12) sends a Python tuple, fields=('id', 'name'): its quotes and brackets are dropped.
        var fields = query["fields"].SelectMany(f => (f ?? "").Split(',')).Select(f => f.Trim(' ', '(', ')', '[', ']', '\'', '"'))
            .Where(f => f.Length > 0).ToHashSet();
        return fields.Count == 0 ? null : fields;
    }

    private static JsonObject Project(JsonObject item, HashSet<string>? fields)
    {
        if (fields is null)
        {
            return item;
        }

        var projected = new JsonObject();
        foreach (var (key, value) in item)
        {
            if (fields.Contains(key))
            {
                projected[key] = value?.DeepClone();
            }
        }

        return projected;
    }

    private static List<JsonObject> Sort(List<JsonObject> items, IQueryCollection query)
    {
        var keys = query["sort_key"].Where(k => !string.IsNullOrEmpty(k)).Select(k => k!).ToList();
        var dirs = query["sort_dir"].Select(d => d ?? "asc").ToList();
        if (keys.Count == 0)
        {
            return items;
        }

        IOrderedEnumerable<JsonObject>? ordered = null;
        for (var i = 0; i < keys.Count; i++)
        {
            var key = keys[i];
            if (items.Count > 0 && !items[0].ContainsKey(key))
            {
                throw NeutronException.BadRequest($"{key} is invalid attribute for sort_key");
            }

            var descending = i < dirs.Count && dirs[i].Equals("desc", StringComparison.OrdinalIgnoreCase);
            string Key(JsonObject o) => o[key]?.ToJsonString() ?? "";
            ordered = ordered is null
                ? (descending ? items.OrderByDescending(Key, StringComparer.Ordinal) : items.OrderBy(Key, StringComparer.Ordinal))
                : (descending ? ordered.ThenByDescending(Key, StringComparer.Ordinal) : ordered.ThenBy(Key, StringComparer.Ordinal));
        }

        return ordered!.ToList();
    }

    /// <summary>Whether the attribute matches any of the values (Neutron: repeated filters are "any of").</summary>
    private static bool Matches(JsonObject item, string key, Microsoft.Extensions.Primitives.StringValues values)
    {
        if (key == "fixed_ips" || (FixedIpKeys.Contains(key) && !item.ContainsKey(key) && item.ContainsKey("fixed_ips")))
        {
            // Neutron's rule: one fixed IP must match every key asked for, and any of the values of each key.
            var ips = item["fixed_ips"]!.AsArray().Select(ip => ip!.AsObject()).ToList();
            var filters = values.Select(v => key == "fixed_ips" ? v ?? "" : key + "=" + v).GroupBy(f => f.Split('=')[0]).ToList();
            return ips.Any(ip => filters.All(group => group.Any(f => FixedIpMatches(ip, f))));
        }

        if (!item.TryGetPropertyValue(key, out var value))
        {
            // Neutron ignores a filter on an attribute it does not know.
            return true;
        }

        return values.Any(v => ValueMatches(value, v ?? ""));
    }

    private static bool FixedIpMatches(JsonObject ip, string filter)
    {
        var eq = filter.IndexOf('=');
        if (eq < 0)
        {
            return false;
        }

        var key = filter[..eq];
        var wanted = filter[(eq + 1)..];
        return key == "ip_address"
            ? System.Net.IPAddress.TryParse(wanted, out var address) && (string?)ip["ip_address"] == address.ToString()
            : (string?)ip[key] == wanted;
    }

    private static bool ValueMatches(JsonNode? value, string wanted)
    {
        if (value is null)
        {
            return wanted.Length == 0 || wanted.Equals("None", StringComparison.OrdinalIgnoreCase);
        }

        if (value is JsonArray array)
        {
            return array.Any(v => ValueMatches(v, wanted));
        }

        return value.GetValueKind() switch
        {
            JsonValueKind.True => IsTrue(wanted),
            JsonValueKind.False => !IsTrue(wanted),
            JsonValueKind.Number => value.ToJsonString() == wanted,
            JsonValueKind.String => value.GetValue<string>() == wanted,
            _ => false,
        };
    }

    private static bool IsTrue(string text) =>
        text.Equals("true", StringComparison.OrdinalIgnoreCase) || text == "1" || text.Equals("yes", StringComparison.OrdinalIgnoreCase);
}
