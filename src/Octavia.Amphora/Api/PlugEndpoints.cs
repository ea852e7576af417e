using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Octavia.Amphora.Network;
using Octavia.Core.Amphorae;

namespace Octavia.Amphora.Api;

/// <summary>
/// <c>POST /1.0/plug/vip/{vip}</c>, <c>POST /1.0/plug/network</c> and <c>GET /1.0/interface/{ip}</c>
/// (reference/amphora.md §3 #14, #15, #20).
/// </summary>
public static class PlugEndpoints
{
    public static void Map(IEndpointRouteBuilder app, InterfacePlugger plugger)
    {
        // Explicit return types: the request delegate generator cannot see the JSON generator's AgentJson members.
        app.MapPost($"/{AmphoraAgentHost.ApiVersion}/plug/vip/{{vip}}", async Task<IResult> (string vip, HttpContext http) =>
        {
            if (await ReadAsync(http, AgentJson.Default.PlugVipRequest) is not { SubnetCidr: not null, MacAddress: not null } request)
            {
                return AgentResults.Message(400, "Invalid request", "Body must be JSON with subnet_cidr, gateway and mac_address");
            }

            return await PlugAsync(() => plugger.PlugVipAsync(vip, request, http.RequestAborted));
        });
        app.MapPost($"/{AmphoraAgentHost.ApiVersion}/plug/network", async Task<IResult> (HttpContext http) =>
        {
            if (await ReadAsync(http, AgentJson.Default.PlugNetworkRequest) is not { MacAddress: not null } request)
            {
                return AgentResults.Message(400, "Invalid request", "Body must be JSON with mac_address");
            }

            return await PlugAsync(() => plugger.PlugNetworkAsync(request, http.RequestAborted));
        });
        app.MapGet($"/{AmphoraAgentHost.ApiVersion}/interface/{{ip}}", async (string ip, HttpContext http) =>
        {
            try
            {
                return await plugger.InterfaceOfAsync(ip, http.RequestAborted) is { } name
                    ? AgentResults.Strings(new Dictionary<string, string> { ["message"] = "OK", ["interface"] = name })
                    : AgentResults.Message(404, "Error interface not found for IP address", $"No interface holds {ip}");
            }
            catch (PlugException e)
            {
                return AgentResults.Message(e.StatusCode, e.StatusCode == 400 ? "Invalid IP address" : e.Message, e.Details);
            }
        });
    }

    private static async Task<IResult> PlugAsync(Func<Task<string>> plug)
    {
        try
        {
            return AgentResults.Message(202, "OK", await plug());
        }
        catch (PlugException e)
        {
            return AgentResults.Message(e.StatusCode, e.Message, e.Details);
        }
    }

    private static async Task<T?> ReadAsync<T>(HttpContext http, JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            return await JsonSerializer.DeserializeAsync(http.Request.Body, type, http.RequestAborted);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
