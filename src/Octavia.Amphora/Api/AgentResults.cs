using Microsoft.AspNetCore.Http;

namespace Octavia.Amphora.Api;

/// <summary>The agent's handler answers: <c>{"message": …, "details": …}</c> (reference/amphora.md §2).</summary>
internal static class AgentResults
{
    public static IResult Message(int status, string message, string? details = null) =>
        Strings(details is null
            ? new Dictionary<string, string> { ["message"] = message }
            : new Dictionary<string, string> { ["message"] = message, ["details"] = details }, status);

    /// <summary>A JSON object of strings.</summary>
    public static IResult Strings(Dictionary<string, string> body, int status = 200) =>
        Results.Json(body, AgentJson.Default.DictionaryStringString, statusCode: status);

    public static IResult LoadBalancerNotFound(string loadBalancerId) =>
        Message(404, "Loadbalancer Not Found", $"No loadbalancer with UUID: {loadBalancerId}");
}
