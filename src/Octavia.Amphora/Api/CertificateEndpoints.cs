using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Octavia.Core.Security;

namespace Octavia.Amphora.Api;

/// <summary>
/// <c>/1.0/loadbalancer/{lb_id}/certificates/{filename}</c> (reference/amphora.md §3 #11-#13): the
/// listeners' TLS material, stored 0600 beside the load balancer's configuration; the controller compares
/// md5 sums rather than reading keys back.
/// </summary>
public static partial class CertificateEndpoints
{
    public static void Map(IEndpointRouteBuilder app, AgentBindOptions options)
    {
        var path = $"/{AmphoraAgentHost.ApiVersion}/loadbalancer/{{loadBalancerId}}/certificates/{{fileName}}";
        app.MapPut(path, (string loadBalancerId, string fileName, HttpContext http) => PutAsync(options, loadBalancerId, fileName, http));
        app.MapGet(path, (string loadBalancerId, string fileName, HttpContext http) => GetAsync(options, loadBalancerId, fileName, http));
        app.MapDelete(path, (string loadBalancerId, string fileName) => Delete(options, loadBalancerId, fileName));
    }

    /// <summary>Upstream's filename rule, anchored so that no path separator can slip through.</summary>
    [GeneratedRegex(@"^(\w\.?)+\.pem$")]
    private static partial Regex PemName();

    private static string? FileOf(AgentBindOptions options, string loadBalancerId, string fileName) =>
        Guid.TryParse(loadBalancerId, out _) && PemName().IsMatch(fileName)
            ? Path.Combine(options.BasePath, "certs", loadBalancerId, fileName)
            : null;

    private static async Task<IResult> PutAsync(AgentBindOptions options, string loadBalancerId, string fileName, HttpContext http)
    {
        if (FileOf(options, loadBalancerId, fileName) is not { } file)
        {
            return AgentResults.Strings(new Dictionary<string, string> { ["message"] = "Filename has wrong extension" }, 400);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
        await SecretFile.WriteAsync(file, buffer.GetBuffer().AsMemory(0, (int)buffer.Length), http.RequestAborted);
        http.Response.Headers.ETag = Convert.ToHexStringLower(MD5.HashData(buffer.ToArray()));
        return AgentResults.Strings(new Dictionary<string, string> { ["message"] = "OK" });
    }

    private static async Task<IResult> GetAsync(AgentBindOptions options, string loadBalancerId, string fileName, HttpContext http)
    {
        if (FileOf(options, loadBalancerId, fileName) is not { } file || !File.Exists(file))
        {
            return AgentResults.Message(404, "Certificate Not Found", $"No certificate with filename: {fileName}");
        }

        var md5 = Convert.ToHexStringLower(MD5.HashData(await File.ReadAllBytesAsync(file, http.RequestAborted)));
        http.Response.Headers.ETag = md5;
        return AgentResults.Strings(new Dictionary<string, string> { ["md5sum"] = md5 });
    }

    private static IResult Delete(AgentBindOptions options, string loadBalancerId, string fileName)
    {
        if (FileOf(options, loadBalancerId, fileName) is { } file)
        {
            File.Delete(file);
        }

        return AgentResults.Strings(new Dictionary<string, string> { ["message"] = "OK" });
    }
}
