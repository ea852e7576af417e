using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Octavia.Amphora.Api;

/// <summary>
/// <c>PUT/GET /1.0/loadbalancer/…/haproxy</c> (reference/amphora.md §3 #4, #5): a new configuration is
/// validated with <c>haproxy -c</c> before it replaces the current one; a refused one is kept beside it
/// as <c>haproxy.cfg.new-failed</c> and the last good configuration stays in place.
/// </summary>
public static class HaproxyConfigEndpoints
{
    public const string ConfigFile = "haproxy.cfg";

    public static void Map(IEndpointRouteBuilder app, AgentBindOptions options)
    {
        app.MapPut($"/{AmphoraAgentHost.ApiVersion}/loadbalancer/{{amphoraId}}/{{loadBalancerId}}/haproxy",
            (string amphoraId, string loadBalancerId, HttpContext http) => PutAsync(options, loadBalancerId, http));
        app.MapGet($"/{AmphoraAgentHost.ApiVersion}/loadbalancer/{{loadBalancerId}}/haproxy",
            (string loadBalancerId, HttpContext http) => GetAsync(options, loadBalancerId, http));
    }

    private static async Task<IResult> PutAsync(AgentBindOptions options, string loadBalancerId, HttpContext http)
    {
        if (!Guid.TryParse(loadBalancerId, out _))
        {
            return AgentResults.Message(400, "Invalid request", $"Invalid load balancer id {loadBalancerId}");
        }

        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        var config = await reader.ReadToEndAsync(http.RequestAborted);

        // The agent decides the group HAProxy runs as, not the controller (upstream strips it too).
        config = string.Join('\n', config.Split('\n').Where(l => !l.TrimStart().StartsWith("group ", StringComparison.Ordinal)));
        var directory = Path.Combine(options.BasePath, loadBalancerId);
        Directory.CreateDirectory(directory);
        var candidate = Path.Combine(directory, ConfigFile + ".new");
        await File.WriteAllTextAsync(candidate, config, http.RequestAborted);

        var (ok, output) = await CheckAsync(options.HaproxyCommand, candidate, http.RequestAborted);
        if (!ok)
        {
            File.Move(candidate, Path.Combine(directory, ConfigFile + ".new-failed"), overwrite: true);
            return AgentResults.Message(400, "Invalid request", output);
        }

        File.Move(candidate, Path.Combine(directory, ConfigFile), overwrite: true);
        http.Response.Headers.ETag = Md5(config);
        return AgentResults.Message(202, "OK");
    }

    private static async Task<IResult> GetAsync(AgentBindOptions options, string loadBalancerId, HttpContext http)
    {
        var file = Guid.TryParse(loadBalancerId, out _) ? Path.Combine(options.BasePath, loadBalancerId, ConfigFile) : null;
        if (file is null || !File.Exists(file))
        {
            return AgentResults.Message(404, "Loadbalancer Not Found", $"No loadbalancer with UUID: {loadBalancerId}");
        }

        var config = await File.ReadAllTextAsync(file, http.RequestAborted);
        http.Response.Headers.ETag = Md5(config);
        return Results.Text(config, "text/plain; charset=utf-8");
    }

    /// <summary>Runs <c>haproxy -c -f file</c>; returns whether it passed and what it printed.</summary>
    private static async Task<(bool Ok, string Output)> CheckAsync(string haproxy, string file, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(haproxy) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-c", "-f", file })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not run {haproxy}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode == 0, (await stdout + await stderr).Trim());
    }

    private static string Md5(string text) =>
        Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));
}
