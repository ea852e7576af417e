using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Octavia.Core.Amphorae;

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
        : this(baseAddress, NewHandler(amphoraId, clientCertificate, serverCa, timeout), ownsHandler: true, timeout)
    {
    }

    /// <summary>A client over a handler that may be shared (its connections kept alive between clients); disposes it only when it owns it.</summary>
    public AmphoraAgentClient(Uri baseAddress, SocketsHttpHandler handler, bool ownsHandler, TimeSpan timeout)
    {
        _http = new HttpClient(handler, ownsHandler) { BaseAddress = baseAddress, Timeout = timeout };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
    }

    /// <summary>The connection handler for one amphora: the controller's certificate out, the agent's checked in.</summary>
    public static SocketsHttpHandler NewHandler(string amphoraId, X509Certificate2 clientCertificate, X509Certificate2 serverCa, TimeSpan connectTimeout) =>
        new()
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [clientCertificate],
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is X509Certificate2 agent && IsAgentOf(agent, amphoraId, serverCa),
            },
            ConnectTimeout = connectTimeout,
            // Well under the agent's keep-alive (Kestrel's 130 s), so that the agent never closes one under a request.
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ConnectCallback = ConnectAbortivelyClosedAsync,
        };

    /// <summary>
    /// A socket that closes with one RST and no FIN. A kept-alive connection to an amphora that has since
    /// gone would otherwise retransmit its FIN for minutes after the close, and once the management
    /// network was removed (<c>octavia network clean</c>) those packets took the host's default route out
    /// of the uplink (DESIGN.md "Host safety"; HostSafetyTests counted one). Every request on it has
    /// finished when it closes, so nothing is lost.
    /// </summary>
    private static async ValueTask<Stream> ConnectAbortivelyClosedAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, LingerState = new LingerOption(true, 0) };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
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

    /// <summary><c>PUT /1.0/loadbalancer/{lb}/start</c>: starts the load balancer's HAProxy (a running one is left alone).</summary>
    public Task<string?> StartAsync(string loadBalancerId, CancellationToken cancellationToken) =>
        ActAsync(loadBalancerId, "start", cancellationToken);

    /// <summary><c>PUT /1.0/loadbalancer/{lb}/reload</c>: returns when the new worker serves (a stopped HAProxy is started).</summary>
    public Task<string?> ReloadAsync(string loadBalancerId, CancellationToken cancellationToken) =>
        ActAsync(loadBalancerId, "reload", cancellationToken);

    /// <summary><c>PUT /1.0/loadbalancer/{lb}/stop</c>.</summary>
    public Task<string?> StopAsync(string loadBalancerId, CancellationToken cancellationToken) =>
        ActAsync(loadBalancerId, "stop", cancellationToken);

    private async Task<string?> ActAsync(string loadBalancerId, string action, CancellationToken cancellationToken)
    {
        using var response = await _http.PutAsync($"/1.0/loadbalancer/{loadBalancerId}/{action}", null, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await DetailsOfAsync(response, cancellationToken);
    }

    /// <summary><c>DELETE /1.0/listeners/{lb}</c>: stops the HAProxy and removes its files (fine when unknown).</summary>
    public async Task DeleteListenersAsync(string loadBalancerId, CancellationToken cancellationToken)
    {
        using var response = await _http.DeleteAsync($"/1.0/listeners/{loadBalancerId}", cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    /// <summary><c>GET /1.0/listeners</c>: (listener id, type) of every frontend the agent's configurations hold.</summary>
    public async Task<IReadOnlyList<(string Id, string Type)>> GetListenersAsync(CancellationToken cancellationToken)
    {
        using var doc = JsonDocument.Parse(await _http.GetStringAsync("/1.0/listeners", cancellationToken));
        return doc.RootElement.EnumerateArray()
            .Select(e => (e.GetProperty("uuid").GetString() ?? "", e.GetProperty("type").GetString() ?? "")).ToList();
    }

    /// <summary><c>GET /1.0/details</c>: host metrics (reference/amphora.md §3.1), as a JSON document the caller disposes.</summary>
    public async Task<JsonDocument> GetDetailsAsync(CancellationToken cancellationToken) =>
        JsonDocument.Parse(await _http.GetStringAsync("/1.0/details", cancellationToken));

    /// <summary>
    /// <c>POST /1.0/plug/vip/{vip}</c>. The NIC may not be visible in the amphora yet: "No suitable network interface found"
    /// is retried (<paramref name="attempts"/> times, <paramref name="interval"/> apart); 409 "already plugged" is success.
    /// </summary>
    public Task<string?> PlugVipAsync(string vip, PlugVipRequest request, CancellationToken cancellationToken, int attempts = 15,
        TimeSpan? interval = null) =>
        PlugAsync($"/1.0/plug/vip/{vip}", request, attempts, interval ?? TimeSpan.FromSeconds(2), cancellationToken);

    /// <summary><c>POST /1.0/plug/network</c>, retried and forgiving like <see cref="PlugVipAsync"/>.</summary>
    public Task<string?> PlugNetworkAsync(PlugNetworkRequest request, CancellationToken cancellationToken, int attempts = 15,
        TimeSpan? interval = null) =>
        PlugAsync("/1.0/plug/network", request, attempts, interval ?? TimeSpan.FromSeconds(2), cancellationToken);

    private async Task<string?> PlugAsync<T>(string path, T request, int attempts, TimeSpan interval, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var response = await _http.PostAsJsonAsync(path, request, cancellationToken);
            if (response.StatusCode == HttpStatusCode.Conflict)
            {
                return await DetailsOfAsync(response, cancellationToken);
            }

            if (response.StatusCode == HttpStatusCode.NotFound && attempt < attempts
                && (await DetailsOfAsync(response, cancellationToken) ?? "").Contains("No suitable network interface found", StringComparison.Ordinal))
            {
                await Task.Delay(interval, cancellationToken);
                continue;
            }

            await EnsureSuccessAsync(response, cancellationToken);
            return await DetailsOfAsync(response, cancellationToken);
        }
    }

    /// <summary><c>GET /1.0/interface/{ip}</c>: the amphora interface holding <paramref name="ip"/>, or null when none does.</summary>
    public async Task<string?> GetInterfaceAsync(string ip, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync($"/1.0/interface/{ip}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, cancellationToken);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return doc.RootElement.GetProperty("interface").GetString();
    }

    /// <summary><c>PUT /1.0/certificate</c>: the agent's new server certificate and key (PEM), served from its next handshake.</summary>
    public async Task UpdateServerCertificateAsync(string pem, CancellationToken cancellationToken)
    {
        using var content = new StringContent(pem, System.Text.Encoding.UTF8, "text/plain");
        using var response = await _http.PutAsync("/1.0/certificate", content, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    /// <summary><c>PUT /1.0/config</c>: the agent's new configuration file.</summary>
    public async Task UpdateAgentConfigAsync(string config, CancellationToken cancellationToken)
    {
        using var content = new StringContent(config, System.Text.Encoding.UTF8, "text/plain");
        using var response = await _http.PutAsync("/1.0/config", content, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    /// <summary>
    /// Polls <c>GET /</c> until the agent answers (reference/amphora.md §2.1): connection errors, timeouts and 404s that are
    /// not JSON (something else answering while the amphora boots) are retried, the wait growing from
    /// <paramref name="interval"/> by half each time up to <paramref name="maxInterval"/>; after <paramref name="maxAttempts"/>
    /// the last error is thrown. Returns the agent's API version.
    /// </summary>
    public async Task<string> WaitUntilUpAsync(int maxAttempts, TimeSpan interval, TimeSpan maxInterval, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var wait = interval;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var response = await _http.GetAsync("/", cancellationToken);
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                var json = response.Content.Headers.ContentType?.MediaType == "application/json";
                if (response.StatusCode == HttpStatusCode.NotFound && !json && attempt < maxAttempts)
                {
                    await Task.Delay(wait, time, cancellationToken);
                    wait = TimeSpan.FromTicks(Math.Min(maxInterval.Ticks, wait.Ticks * 3 / 2));
                    continue;
                }

                await EnsureSuccessAsync(response, cancellationToken);
                using var doc = JsonDocument.Parse(body);
                return doc.RootElement.GetProperty("api_version").GetString() ?? "";
            }
            catch (Exception e) when (attempt < maxAttempts && !cancellationToken.IsCancellationRequested
                && e is HttpRequestException or TaskCanceledException)
            {
                await Task.Delay(wait, time, cancellationToken);
                wait = TimeSpan.FromTicks(Math.Min(maxInterval.Ticks, wait.Ticks * 3 / 2));
            }
        }
    }

    private static async Task<string?> DetailsOfAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("details", out var d) ? d.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
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
