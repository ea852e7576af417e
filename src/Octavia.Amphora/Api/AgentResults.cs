using Microsoft.AspNetCore.Http;

namespace Octavia.Amphora.Api;

/// <summary>The agent's handler answers: <c>{"message": …, "details": …}</c> (reference/amphora.md §2).</summary>
internal static class AgentResults
{
    public static IResult Message(int status, string message, string? details = null) =>
        Results.Json(details is null
            ? new Dictionary<string, string> { ["message"] = message }
            : new Dictionary<string, string> { ["message"] = message, ["details"] = details }, statusCode: status);

    public static IResult LoadBalancerNotFound(string loadBalancerId) =>
        Message(404, "Loadbalancer Not Found", $"No loadbalancer with UUID: {loadBalancerId}");
}
