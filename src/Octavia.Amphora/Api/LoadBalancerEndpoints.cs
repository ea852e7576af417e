using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Octavia.Amphora.Haproxy;

namespace Octavia.Amphora.Api;

/// <summary>
/// <c>PUT /1.0/loadbalancer/{lb}/{start|stop|reload}</c>, <c>DELETE /1.0/listeners/{lb}</c> and
/// <c>GET /1.0/listeners</c> (reference/amphora.md §3 #6-#8).
/// </summary>
public static partial class LoadBalancerEndpoints
{
    public static void Map(IEndpointRouteBuilder app, HaproxyProcessManager haproxy)
    {
        app.MapPut($"/{AmphoraAgentHost.ApiVersion}/loadbalancer/{{loadBalancerId}}/{{action}}",
            (string loadBalancerId, string action, CancellationToken ct) => ActAsync(haproxy, loadBalancerId, action, ct));
        app.MapDelete($"/{AmphoraAgentHost.ApiVersion}/listeners/{{loadBalancerId}}",
            async (string loadBalancerId, CancellationToken ct) =>
            {
                if (Guid.TryParse(loadBalancerId, out _))
                {
                    await haproxy.DeleteAsync(loadBalancerId, ct);
                }

                return AgentResults.Message(200, "OK");
            });
        app.MapGet($"/{AmphoraAgentHost.ApiVersion}/listeners", () => Results.Json(Listeners(haproxy), AgentJson.Default.ListDictionaryStringString));
    }

    private static async Task<IResult> ActAsync(HaproxyProcessManager haproxy, string loadBalancerId, string action, CancellationToken ct)
    {
        if (action is not ("start" or "stop" or "reload"))
        {
            return AgentResults.Message(400, "Invalid Request", $"Unknown action: {action}");
        }

        if (!Guid.TryParse(loadBalancerId, out _) || !haproxy.Exists(loadBalancerId))
        {
            return AgentResults.LoadBalancerNotFound(loadBalancerId);
        }

        try
        {
            var details = action switch
            {
                "start" => await haproxy.StartAsync(loadBalancerId, ct),
                "stop" => await haproxy.StopAsync(loadBalancerId, ct),
                _ => await haproxy.ReloadAsync(loadBalancerId, ct),
            };
            return AgentResults.Message(202, "OK", details);
        }
        catch (HaproxyControlException e)
        {
            return AgentResults.Message(500, $"Error {action}ing haproxy", e.Message);
        }
    }

    [GeneratedRegex(@"^frontend\s+(\S+)")]
    private static partial Regex Frontend();

    /// <summary>
    /// Every frontend of every configuration, read from the files as upstream does: HTTP or TCP from its
    /// <c>mode</c>, TERMINATED_HTTPS when a bind line terminates TLS. The PROMETHEUS helper frontends are not listeners.
    /// </summary>
    private static List<Dictionary<string, string>> Listeners(HaproxyProcessManager haproxy)
    {
        var found = new List<Dictionary<string, string>>();
        foreach (var lb in haproxy.LoadBalancerIds())
        {
            string? id = null;
            string type = "TCP";
            void Flush()
            {
                if (id is not null && !id.Contains("prometheus", StringComparison.Ordinal))
                {
                    found.Add(new Dictionary<string, string> { ["status"] = "ACTIVE", ["uuid"] = id, ["type"] = type });
                }
            }

            foreach (var raw in File.ReadLines(haproxy.ConfigFileOf(lb)))
            {
                var line = raw.Trim();
                if (raw.Length > 0 && !char.IsWhiteSpace(raw[0]))
                {
                    Flush();
                    var match = Frontend().Match(line);
                    id = match.Success ? match.Groups[1].Value : null;
                    type = "TCP";
                }
                else if (id is not null && line == "mode http" && type == "TCP")
                {
                    type = "HTTP";
                }
                else if (id is not null && line.StartsWith("bind ", StringComparison.Ordinal) && line.Contains(" ssl ", StringComparison.Ordinal))
                {
                    type = "TERMINATED_HTTPS";
                }
            }

            Flush();
        }

        return found;
    }
}
