using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Octavia.Core.Security;

namespace Octavia.Amphora.Api;

/// <summary>
/// <c>PUT /1.0/certificate</c> and <c>PUT /1.0/config</c> (reference/amphora.md §3 #16, #17): the agent's own
/// server certificate (rotated by housekeeping) and configuration file, replaced atomically with mode 0600.
/// The new certificate is served from the next TLS handshake on (the host reads it per handshake, cached by
/// modification time); the new configuration is read at the agent's next start.
/// </summary>
public static class AgentFileEndpoints
{
    public static void Map(IEndpointRouteBuilder app, string serverCertificateFile, string? configFile)
    {
        app.MapPut($"/{AmphoraAgentHost.ApiVersion}/certificate", async (HttpContext http) =>
        {
            var pem = await ReadAsync(http);
            try
            {
                // Refuse what could not be served: a file without a certificate and its key would break every later handshake.
                using var check = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(pem, pem);
            }
            catch (System.Security.Cryptography.CryptographicException e)
            {
                return AgentResults.Message(400, "Invalid request", $"Not a PEM certificate with its key: {e.Message}");
            }

            await SecretFile.WriteAsync(serverCertificateFile, System.Text.Encoding.UTF8.GetBytes(pem), http.RequestAborted);
            return AgentResults.Message(202, "OK");
        });
        app.MapPut($"/{AmphoraAgentHost.ApiVersion}/config", async (HttpContext http) =>
        {
            if (configFile is null)
            {
                return AgentResults.Message(500, "Unable to update amphora-agent configuration.", "The agent was started without a configuration file.");
            }

            try
            {
                await SecretFile.WriteAsync(configFile, System.Text.Encoding.UTF8.GetBytes(await ReadAsync(http)), http.RequestAborted);
            }
            catch (IOException e)
            {
                return AgentResults.Message(500, "Unable to update amphora-agent configuration.", e.Message);
            }

            return AgentResults.Message(202, "OK");
        });
    }

    private static async Task<string> ReadAsync(HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body);
        return await reader.ReadToEndAsync(http.RequestAborted);
    }
}
