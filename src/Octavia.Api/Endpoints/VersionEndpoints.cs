using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Octavia.Api.Hosting;
using Octavia.Api.Json;

namespace Octavia.Api.Endpoints;

/// <summary>Version discovery and the health check (reference/api.md §2).</summary>
public static class VersionEndpoints
{
    /// <summary>Every API version and its date; the last is CURRENT.</summary>
    internal static readonly (string Id, string Updated)[] Versions =
    [
        ("v2.0", "2016-12-11T00:00:00Z"), ("v2.1", "2018-04-20T00:00:00Z"), ("v2.2", "2018-07-31T00:00:00Z"),
        ("v2.3", "2018-12-18T00:00:00Z"), ("v2.4", "2018-12-19T00:00:00Z"), ("v2.5", "2019-01-21T00:00:00Z"),
        ("v2.6", "2019-01-25T00:00:00Z"), ("v2.7", "2018-01-25T12:00:00Z"), ("v2.8", "2019-02-12T00:00:00Z"),
        ("v2.9", "2019-03-04T00:00:00Z"), ("v2.10", "2019-03-05T00:00:00Z"), ("v2.11", "2019-06-24T00:00:00Z"),
        ("v2.12", "2019-09-11T00:00:00Z"), ("v2.13", "2019-09-13T00:00:00Z"), ("v2.14", "2019-11-10T00:00:00Z"),
        ("v2.15", "2020-03-10T00:00:00Z"), ("v2.16", "2020-03-15T00:00:00Z"), ("v2.17", "2020-04-29T00:00:00Z"),
        ("v2.18", "2020-04-29T01:00:00Z"), ("v2.19", "2020-05-12T00:00:00Z"), ("v2.20", "2020-08-02T00:00:00Z"),
        ("v2.21", "2020-09-03T00:00:00Z"), ("v2.22", "2020-09-04T00:00:00Z"), ("v2.23", "2020-09-07T00:00:00Z"),
        ("v2.24", "2020-10-15T00:00:00Z"), ("v2.25", "2021-10-02T00:00:00Z"), ("v2.26", "2022-08-29T00:00:00Z"),
        ("v2.27", "2023-05-05T00:00:00Z"), ("v2.28", "2023-11-08T00:00:00Z"), ("v2.29", "2024-10-15T00:00:00Z"),
        ("v2.30", "2025-02-26T00:00:00Z"),
    ];

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/", (HttpContext http) =>
        {
            var settings = ApiRequest.Settings(http);
            var href = (settings.ApiBaseUri is { Length: > 0 } b ? b.TrimEnd('/') : $"{http.Request.Scheme}://{http.Request.Host}") + "/v2";
            return new JsonResult(200, w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("versions");
                for (var i = 0; i < Versions.Length; i++)
                {
                    w.WriteStartObject();
                    w.WriteString("id", Versions[i].Id);
                    w.WriteString("status", i == Versions.Length - 1 ? "CURRENT" : "SUPPORTED");
                    w.WriteString("updated", Versions[i].Updated);
                    w.WriteStartArray("links");
                    w.WriteStartObject();
                    w.WriteString("href", href);
                    w.WriteString("rel", "self");
                    w.WriteEndObject();
                    w.WriteEndArray();
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            });
        });

        foreach (var path in new[] { "/v2", "/v2/lbaas", "/v2/octavia" })
        {
            api.MapGet(path, () => new JsonResult(200, w => w.WriteStringValue("v2")));
        }

        api.MapMethods("/healthcheck", ["GET", "HEAD"], (HttpContext http) =>
        {
            if (!ApiRequest.Settings(http).HealthcheckEnabled)
            {
                return Results.StatusCode(404);
            }

            return Results.Text(http.Request.Method == "HEAD" ? "" : "OK", "text/plain; charset=UTF-8");
        });
    }
}
