using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Octavia.Core.Configuration;

namespace Octavia.Http.Keystone;

/// <summary>
/// Talks to Keystone v3 as keystonemiddleware does: holds the API's own service token (password
/// authentication, renewed before it expires or when Keystone rejects it) and asks
/// <c>GET /v3/auth/tokens</c> whether a caller's token is valid. Every call is bounded by
/// <c>http_connect_timeout</c>; a Keystone that cannot answer raises <see cref="KeystoneUnavailableException"/>.
/// </summary>
public sealed partial class KeystoneClient : IDisposable
{
    /// <summary>A service token this close to its expiry is replaced before use (keystoneauth renews 30 s ahead).</summary>
    private static readonly TimeSpan RenewBefore = TimeSpan.FromSeconds(60);

    private readonly KeystoneAuthTokenOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<KeystoneClient> _logger;
    private readonly HttpClient _http;
    private readonly SemaphoreSlim _discoveryLock = new(1, 1);
    private Uri? _tokensUri;
    private readonly SemaphoreSlim _serviceLock = new(1, 1);
    private ServiceToken? _service;

    public KeystoneClient(IOptions<KeystoneAuthTokenOptions> options, TimeProvider time, ILogger<KeystoneClient> logger,
        HttpMessageHandler? handler = null)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _http = new HttpClient(handler ?? new SocketsHttpHandler
        {
            ConnectTimeout = Timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            // Keystone's root answers 300 with a Location: the version list is what discovery reads, not where it points.
            AllowAutoRedirect = false,
        })
        { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

    /// <summary>The bound on one whole check (service token included).</summary>
    public TimeSpan Timeout => TimeSpan.FromSeconds(_options.HttpConnectTimeout);

    /// <summary>
    /// Validates <paramref name="token"/>: its identity when Keystone accepts it, null when Keystone says it
    /// is invalid, expired or revoked.
    /// </summary>
    /// <exception cref="KeystoneUnavailableException">Keystone did not answer in time or refused the service user.</exception>
    public async Task<KeystoneIdentity?> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Timeout);
        try
        {
            var tokensUri = await TokensUriAsync(deadline.Token);
            string? rejected = null;
            for (var attempt = 0; attempt < 2; attempt++)
            {
                var service = await GetServiceTokenAsync(tokensUri, rejected, deadline.Token);
                using var response = await SendAsync(() =>
                {
                    var request = new HttpRequestMessage(HttpMethod.Get, tokensUri + "?nocatalog");
                    request.Headers.TryAddWithoutValidation("X-Auth-Token", service);
                    request.Headers.TryAddWithoutValidation("X-Subject-Token", token);
                    return request;
                }, deadline.Token);
                switch (response.StatusCode)
                {
                    case HttpStatusCode.OK:
                        var identity = ParseIdentity(await response.Content.ReadAsByteArrayAsync(deadline.Token));
                        return identity is not null && identity.ExpiresAt > _time.GetUtcNow() ? identity : null;
                    case HttpStatusCode.NotFound or HttpStatusCode.BadRequest:
                        LogTokenRejected(_logger, (int)response.StatusCode);
                        return null;
                    case HttpStatusCode.Unauthorized:
                        // The service token itself was refused (revoked, or Keystone's keys rotated): get a new one once.
                        rejected = service;
                        continue;
                    case HttpStatusCode.Forbidden:
                        LogServiceForbidden(_logger, _options.Username);
                        throw new KeystoneUnavailableException("the service user may not validate tokens");
                    default:
                        throw new KeystoneUnavailableException($"Keystone answered {(int)response.StatusCode}");
                }
            }

            throw new KeystoneUnavailableException("Keystone refused a fresh service token");
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            LogUnavailable(_logger, _options.AuthUrl, "no answer within " + Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s");
            throw new KeystoneUnavailableException("Keystone did not answer in time", e);
        }
        catch (KeystoneUnavailableException e)
        {
            LogUnavailable(_logger, _options.AuthUrl, e.Message);
            throw;
        }
    }

    private async Task<string> GetServiceTokenAsync(Uri tokensUri, string? rejected, CancellationToken cancellationToken)
    {
        if (Usable(_service, rejected) is { } current)
        {
            return current;
        }

        await _serviceLock.WaitAsync(cancellationToken);
        try
        {
            if (Usable(_service, rejected) is { } renewed)
            {
                return renewed;
            }

            using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, tokensUri)
            {
                Content = new ByteArrayContent(PasswordAuthBody()) { Headers = { { "Content-Type", "application/json" } } },
            }, cancellationToken);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                LogServiceCredentialsRejected(_logger, _options.Username);
                throw new KeystoneUnavailableException("Keystone refused the service credentials");
            }

            if (response.StatusCode != HttpStatusCode.Created
                || !response.Headers.TryGetValues("X-Subject-Token", out var values) || values.FirstOrDefault() is not { Length: > 0 } token)
            {
                throw new KeystoneUnavailableException($"Keystone answered {(int)response.StatusCode} to the service user's authentication");
            }

            var identity = ParseIdentity(await response.Content.ReadAsByteArrayAsync(cancellationToken))
                ?? throw new KeystoneUnavailableException("Keystone's service token could not be read");
            _service = new ServiceToken(token, identity.ExpiresAt);
            LogServiceTokenObtained(_logger, identity.UserId, identity.ExpiresAt);
            return token;
        }
        finally
        {
            _serviceLock.Release();
        }
    }

    private string? Usable(ServiceToken? service, string? rejected) =>
        service is not null && service.Token != rejected && service.ExpiresAt - _time.GetUtcNow() > RenewBefore ? service.Token : null;

    /// <summary>Sends, trying again at once (up to <c>http_request_max_retries</c> times) when the connection fails.</summary>
    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> makeRequest, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var request = makeRequest();
            try
            {
                var response = await _http.SendAsync(request, cancellationToken);
                await response.Content.LoadIntoBufferAsync(cancellationToken);
                return response;
            }
            catch (HttpRequestException e) when (!cancellationToken.IsCancellationRequested)
            {
                if (attempt >= _options.HttpRequestMaxRetries)
                {
                    throw new KeystoneUnavailableException("Keystone could not be reached: " + e.Message, e);
                }
            }
        }
    }

    private byte[] PasswordAuthBody()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartObject("auth");
            w.WriteStartObject("identity");
            w.WriteStartArray("methods");
            w.WriteStringValue("password");
            w.WriteEndArray();
            w.WriteStartObject("password");
            w.WriteStartObject("user");
            WriteNamed(w, _options.UserId, _options.Username, _options.UserDomainId, _options.UserDomainName);
            w.WriteString("password", _options.Password);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
            if (!string.IsNullOrEmpty(_options.ProjectId) || !string.IsNullOrEmpty(_options.ProjectName))
            {
                w.WriteStartObject("scope");
                w.WriteStartObject("project");
                WriteNamed(w, _options.ProjectId, _options.ProjectName, _options.ProjectDomainId, _options.ProjectDomainName);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>A user or project by ID, else by name within a domain given by ID or name (default: the <c>default</c> domain).</summary>
    private static void WriteNamed(Utf8JsonWriter w, string? id, string? name, string? domainId, string? domainName)
    {
        if (!string.IsNullOrEmpty(id))
        {
            w.WriteString("id", id);
            return;
        }

        w.WriteString("name", name);
        w.WriteStartObject("domain");
        if (!string.IsNullOrEmpty(domainName) && string.IsNullOrEmpty(domainId))
        {
            w.WriteString("name", domainName);
        }
        else
        {
            w.WriteString("id", string.IsNullOrEmpty(domainId) ? "default" : domainId);
        }

        w.WriteEndObject();
    }

    /// <summary>Reads Keystone's <c>{"token": {...}}</c> body; null when it lacks what every v3 token has.</summary>
    internal static KeystoneIdentity? ParseIdentity(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (!document.RootElement.TryGetProperty("token", out var token)
                || !token.TryGetProperty("user", out var user) || Text(user, "id") is not { } userId
                || Text(token, "expires_at") is not { } expires
                || !DateTimeOffset.TryParse(expires, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expiresAt))
            {
                return null;
            }

            var project = token.TryGetProperty("project", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
            var roles = new List<string>();
            if (token.TryGetProperty("roles", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var role in list.EnumerateArray())
                {
                    if (Text(role, "name") is { } name)
                    {
                        roles.Add(name);
                    }
                }
            }

            return new KeystoneIdentity(userId, Text(user, "name"), Text(project, "id"), Text(project, "name"), roles, expiresAt);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    public void Dispose()
    {
        _http.Dispose();
        _serviceLock.Dispose();
        _discoveryLock.Dispose();
    }

    private sealed record ServiceToken(string Token, DateTimeOffset ExpiresAt);
}
