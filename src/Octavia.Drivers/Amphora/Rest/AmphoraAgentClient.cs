using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Octavia.Drivers.Amphora.Rest;

/// <summary>
/// The controller's HTTPS client for one amphora's agent (reference/amphora.md §2): it presents the
/// controller's client certificate and accepts the agent only if the agent's certificate chains to the
/// server CA and is issued for that amphora (CN and DNS name = amphora id), whatever address it answers on.
/// </summary>
public sealed class AmphoraAgentClient : IDisposable
{
    public const string UserAgent = "Octavia HaProxy Rest Client/1.0 (https://wiki.openstack.org/wiki/Octavia)";

    private readonly HttpClient _http;

    public AmphoraAgentClient(Uri baseAddress, string amphoraId, X509Certificate2 clientCertificate, X509Certificate2 serverCa, TimeSpan timeout)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [clientCertificate],
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is X509Certificate2 agent && IsAgentOf(agent, amphoraId, serverCa),
            },
            ConnectTimeout = timeout,
        };
        _http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = timeout };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
    }

    /// <summary>Loads the controller's client certificate (cert + key PEM) and the server CA from files.</summary>
    public static AmphoraAgentClient Create(Uri baseAddress, string amphoraId, string clientCertFile, string serverCaFile, TimeSpan timeout) =>
        new(baseAddress, amphoraId, X509Certificate2.CreateFromPemFile(clientCertFile, clientCertFile),
            X509Certificate2.CreateFromPem(File.ReadAllText(serverCaFile)), timeout);

    /// <summary>Whether the presented certificate chains to the server CA alone and names the amphora.</summary>
    public static bool IsAgentOf(X509Certificate2 agent, string amphoraId, X509Certificate2 serverCa)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(serverCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(agent) && agent.MatchesHostname(amphoraId, allowWildcards: false, allowCommonName: true);
    }

    /// <summary><c>GET /</c>: the agent's API version ("1.0").</summary>
    public async Task<string> GetApiVersionAsync(CancellationToken cancellationToken)
    {
        using var doc = JsonDocument.Parse(await _http.GetStringAsync("/", cancellationToken));
        return doc.RootElement.GetProperty("api_version").GetString() ?? "";
    }

    /// <summary><c>GET /1.0/info</c>: hostname, HAProxy version, API version.</summary>
    public async Task<IReadOnlyDictionary<string, string>> GetInfoAsync(CancellationToken cancellationToken)
    {
        using var doc = JsonDocument.Parse(await _http.GetStringAsync("/1.0/info", cancellationToken));
        return doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString());
    }

    /// <summary>
    /// <c>PUT /1.0/loadbalancer/{amphora}/{lb}/haproxy</c>: the agent validates the configuration with
    /// <c>haproxy -c</c>; a refusal comes back as <see cref="AgentRequestException"/> carrying HAProxy's words.
    /// </summary>
    public async Task UploadHaproxyConfigAsync(string amphoraId, string loadBalancerId, string config, CancellationToken cancellationToken)
    {
        using var content = new StringContent(config, System.Text.Encoding.UTF8, "text/plain");
        using var response = await _http.PutAsync($"/1.0/loadbalancer/{amphoraId}/{loadBalancerId}/haproxy", content, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    /// <summary><c>GET /1.0/loadbalancer/{lb}/haproxy</c>: the configuration in place, or null when there is none.</summary>
    public async Task<string?> GetHaproxyConfigAsync(string loadBalancerId, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync($"/1.0/loadbalancer/{loadBalancerId}/haproxy", cancellationToken);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            string? details = null;
            try
            {
                using var doc = JsonDocument.Parse(body);
                details = doc.RootElement.TryGetProperty("details", out var d) ? d.GetString() : null;
            }
            catch (JsonException)
            {
            }

            throw new AgentRequestException((int)response.StatusCode, details ?? body);
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>An agent answer other than 2xx, with the agent's explanation (for a refused configuration, HAProxy's output).</summary>
public sealed class AgentRequestException(int statusCode, string details) : Exception($"Amphora agent answered {statusCode}: {details}")
{
    public int StatusCode { get; } = statusCode;

    public string Details { get; } = details;
}
