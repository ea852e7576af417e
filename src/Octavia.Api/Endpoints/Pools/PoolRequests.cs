using Octavia.Api.Endpoints.Listeners;
using Octavia.Api.Faults;
using Octavia.Api.Json;
using Octavia.Core.Configuration;
using Octavia.Core.Model;
using Octavia.Core.Statuses;

namespace Octavia.Api.Endpoints.Pools;

/// <summary>A parsed pool POST: the entity (not yet stored) and the nested objects of a graph create.</summary>
/// <param name="Pool">Validated pool; <c>ProjectId</c> and (in a graph) <c>LoadBalancerId</c> are set by the caller.</param>
/// <param name="ListenerId">The <c>listener_id</c> the pool becomes the default pool of, if given.</param>
/// <param name="HealthMonitor">Graph create only: the <c>healthmonitor</c> object.</param>
/// <param name="Members">Graph create only: the <c>members</c> objects.</param>
public sealed record PoolCreate(Pool Pool, string? ListenerId, JsonBody? HealthMonitor, IReadOnlyList<JsonBody> Members);

/// <summary>
/// Pool request parsing and validation (reference/api.md §8), shared by the pool endpoints and the load
/// balancer graph create. No database access.
/// </summary>
public static class PoolRequests
{
    private static readonly string[] CommonAttributes =
    [
        "name", "description", "admin_state_up", "protocol", "lb_algorithm", "session_persistence", "tags", "tls_container_ref",
        "ca_tls_container_ref", "crl_container_ref", "tls_enabled", "tls_ciphers", "tls_versions", "alpn_protocols",
    ];

    /// <summary>Attributes of <c>POST /v2/lbaas/pools</c>.</summary>
    public static readonly HashSet<string> PostAttributes = [.. CommonAttributes, "loadbalancer_id", "listener_id", "project_id", "tenant_id"];

    /// <summary>Attributes of a pool inside a load balancer graph create (upstream's PoolSingleCreate).</summary>
    public static readonly HashSet<string> GraphAttributes = [.. CommonAttributes, "healthmonitor", "members"];

    /// <summary>Attributes of a health monitor inside a graph create (upstream's HealthMonitorSingleCreate).</summary>
    public static readonly HashSet<string> GraphHealthMonitorAttributes =
    [
        "name", "type", "delay", "timeout", "max_retries_down", "max_retries", "http_method", "url_path", "expected_codes",
        "admin_state_up", "tags", "http_version", "domain_name",
    ];

    /// <summary>Attributes of a member inside a graph create (upstream's MemberSingleCreate).</summary>
    public static readonly HashSet<string> GraphMemberAttributes =
    [
        "name", "admin_state_up", "address", "protocol_port", "weight", "backup", "subnet_id", "monitor_port", "monitor_address",
        "tags", "request_sriov",
    ];

    public static readonly HashSet<string> PutAttributes =
    [
        "name", "description", "admin_state_up", "lb_algorithm", "session_persistence", "tags", "tls_container_ref",
        "ca_tls_container_ref", "crl_container_ref", "tls_enabled", "tls_ciphers", "tls_versions", "alpn_protocols",
    ];

    private static readonly HashSet<string> SessionPersistenceAttributes = ["type", "cookie_name", "persistence_timeout", "persistence_granularity"];

    /// <summary>
    /// Parses and validates a pool POST body. The returned pool is PENDING_CREATE/OFFLINE with a new id.
    /// <c>SOURCE_IP_PORT</c> is accepted: upstream's amphora provider refuses it (501), but this project's
    /// amphora driver renders it.
    /// </summary>
    public static PoolCreate ParseCreate(JsonBody body, ApiSettingsOptions settings)
    {
        var name = body.String("name");
        var description = body.String("description");
        var adminStateUp = body.Bool("admin_state_up");
        var listenerId = body.Uuid("listener_id");
        var loadBalancerId = body.Uuid("loadbalancer_id");
        var protocol = JsonBody.Required("protocol", body.Enum("protocol", Constants.PoolProtocols));
        var algorithm = JsonBody.Required("lb_algorithm", body.Enum("lb_algorithm", Constants.LbAlgorithms));
        var sp = ParseSessionPersistence(body, protocol, null, isPut: false);
        body.String("project_id", 36);
        body.String("tenant_id", 36);
        var tags = body.Tags();
        var tlsContainer = body.String("tls_container_ref");
        var caContainer = body.String("ca_tls_container_ref");
        var crlContainer = body.String("crl_container_ref");
        var tlsEnabled = body.Bool("tls_enabled");
        var tlsCiphers = body.String("tls_ciphers", 2048);
        var tlsVersions = body.StringList("tls_versions", 32);
        var alpn = ListenerRequests.ParseAlpn(body);
        var healthMonitor = body.Has("healthmonitor") ? body.Object("healthmonitor", GraphHealthMonitorAttributes).Value : null;
        var members = body.Has("members") ? body.ObjectList("members", GraphMemberAttributes).Value ?? [] : [];

        var pool = new Pool
        {
            Id = Hosting.WriteScope.NewId(),
            ProjectId = "",
            LoadBalancerId = loadBalancerId.Value ?? "",
            Name = name.Value ?? "",
            Description = description.Value ?? "",
            ProvisioningStatus = ProvisioningStatus.PendingCreate,
            OperatingStatus = OperatingStatus.Offline,
            Enabled = !adminStateUp.Present || (adminStateUp.Value ?? false),
            Protocol = protocol,
            LbAlgorithm = algorithm,
            SessionPersistence = sp.Value,
            Tags = tags.Value ?? [],
            TlsContainerRef = NullIfEmpty(tlsContainer.Value),
            CaTlsContainerRef = NullIfEmpty(caContainer.Value),
            CrlContainerRef = NullIfEmpty(crlContainer.Value),
            TlsEnabled = tlsEnabled.Value ?? false,
            TlsCiphers = tlsCiphers.Value,
            TlsVersions = tlsVersions.Value,
            AlpnProtocols = alpn.Value,
        };

        if (pool.TlsEnabled)
        {
            pool.TlsCiphers ??= settings.DefaultPoolCiphers;
            pool.TlsVersions ??= [.. ApiSettingsOptions.SplitList(settings.DefaultPoolTlsVersions)];
            pool.AlpnProtocols ??= [.. ApiSettingsOptions.SplitList(settings.DefaultPoolAlpnProtocols)];
        }

        if (pool.CrlContainerRef is not null && pool.CaTlsContainerRef is null)
        {
            throw ApiException.ValidationFailure("A CA certificate reference is required to specify a revocation list.");
        }

        // There is no certificate manager yet: any non-empty reference string is accepted as it is.
        ListenerRequests.ValidateCiphers(pool.TlsCiphers, settings);
        if (pool.TlsEnabled || tlsVersions.Present)
        {
            ListenerRequests.ValidateTlsVersions(pool.TlsVersions, settings);
        }

        if (pool.TlsEnabled || alpn.Present)
        {
            ListenerRequests.ValidateAlpn(pool.AlpnProtocols);
        }

        return new PoolCreate(pool, listenerId.Value, healthMonitor, members);
    }

    /// <summary>Parses a pool PUT body and applies it to <paramref name="pool"/>, validating against its protocol.</summary>
    public static void ApplyUpdate(JsonBody body, Pool pool, ApiSettingsOptions settings)
    {
        var name = body.String("name");
        var description = body.String("description");
        var adminStateUp = body.Bool("admin_state_up");
        var algorithm = JsonBody.NotNull("lb_algorithm", body.Enum("lb_algorithm", Constants.LbAlgorithms));
        var sp = ParseSessionPersistence(body, pool.Protocol, pool.SessionPersistence, isPut: true);
        var tags = body.Tags();
        var tlsContainer = body.String("tls_container_ref");
        var caContainer = body.String("ca_tls_container_ref");
        var crlContainer = body.String("crl_container_ref");
        var tlsEnabled = body.Bool("tls_enabled");
        var tlsCiphers = body.String("tls_ciphers", 2048);
        var tlsVersions = body.StringList("tls_versions", 32);
        var alpn = ListenerRequests.ParseAlpn(body);

        var hadCa = pool.CaTlsContainerRef is not null;
        if (name.Present)
        {
            pool.Name = name.Value ?? "";
        }

        if (description.Present)
        {
            pool.Description = description.Value ?? "";
        }

        if (adminStateUp.Present)
        {
            pool.Enabled = adminStateUp.Value ?? false;
        }

        if (algorithm.Present)
        {
            pool.LbAlgorithm = algorithm.Value!;
        }

        if (sp.Present)
        {
            pool.SessionPersistence = sp.Value;
        }

        if (tags.Present)
        {
            pool.Tags = tags.Value ?? [];
        }

        if (tlsContainer.Present)
        {
            pool.TlsContainerRef = NullIfEmpty(tlsContainer.Value);
        }

        if (caContainer.Present)
        {
            pool.CaTlsContainerRef = NullIfEmpty(caContainer.Value);
        }

        if (crlContainer.Present)
        {
            pool.CrlContainerRef = NullIfEmpty(crlContainer.Value);
        }

        if (tlsEnabled.Present)
        {
            pool.TlsEnabled = tlsEnabled.Value ?? false;
        }

        // null puts the deployment default back (upstream does so for ciphers and versions); a pool without TLS keeps none.
        if (tlsCiphers.Present)
        {
            pool.TlsCiphers = tlsCiphers.Value ?? (pool.TlsEnabled ? settings.DefaultPoolCiphers : null);
        }

        if (tlsVersions.Present)
        {
            pool.TlsVersions = tlsVersions.Value ?? (pool.TlsEnabled ? [.. ApiSettingsOptions.SplitList(settings.DefaultPoolTlsVersions)] : null);
        }

        if (alpn.Present)
        {
            pool.AlpnProtocols = alpn.Value;
        }

        if (pool.CrlContainerRef is not null && pool.CaTlsContainerRef is null)
        {
            throw ApiException.ValidationFailure(hadCa && caContainer.Present
                ? "A CA reference cannot be removed when a certificate revocation list is present."
                : "A CA reference is required to specify a certificate revocation list.");
        }

        if (tlsCiphers.Value is not null)
        {
            ListenerRequests.ValidateCiphers(tlsCiphers.Value, settings);
        }

        if (tlsVersions.Present)
        {
            ListenerRequests.ValidateTlsVersions(pool.TlsVersions, settings);
        }

        if (alpn.Present)
        {
            ListenerRequests.ValidateAlpn(pool.AlpnProtocols);
        }
    }

    /// <summary>
    /// Reads <c>session_persistence</c> (reference/api.md §8.1). On a PUT an omitted <c>type</c> keeps the
    /// <paramref name="existing"/> type, and <c>null</c> or <c>{}</c> removes the persistence.
    /// </summary>
    private static Opt<SessionPersistence?> ParseSessionPersistence(JsonBody body, string protocol, SessionPersistence? existing, bool isPut)
    {
        var obj = body.Object("session_persistence", SessionPersistenceAttributes);
        if (!obj.Present)
        {
            return Opt<SessionPersistence?>.Absent;
        }

        if (obj.Value is null || (isPut && obj.Value.IsEmpty))
        {
            return new(true, null);
        }

        var sp = obj.Value;
        var type = sp.Enum("type", Constants.SessionPersistenceTypes);
        var cookieName = sp.String("cookie_name");
        var timeout = sp.Int("persistence_timeout");
        var granularity = sp.IpAddress("persistence_granularity");
        if (!isPut && type.Value is null)
        {
            throw ApiException.InvalidInput("type", null, "Mandatory field missing.");
        }

        if (cookieName.Value is { } c && (c.Length == 0 || c.Any(ch => char.IsWhiteSpace(ch) || ch is ',' or ';' or '\\')))
        {
            throw ApiException.InvalidInput("cookie_name", c, @"Value should match the pattern ^[^\s,;\\]+$");
        }

        var effectiveType = type.Value ?? existing?.Type;
        if (protocol is "UDP" or "SCTP")
        {
            if (effectiveType == "SOURCE_IP" && cookieName.Value is not null)
            {
                throw ApiException.ValidationFailure(
                    "session_persistence SOURCE_IP type for UDP and SCTP protocols only accepts: type, persistence_timeout, persistence_granularity.");
            }

            if (cookieName.Value is not null)
            {
                throw ApiException.ValidationFailure("Cookie names are not supported for UDP/SCTP pools.");
            }

            if (effectiveType is "HTTP_COOKIE" or "APP_COOKIE")
            {
                throw ApiException.ValidationFailure($"Session persistence of type {effectiveType} is not supported for UDP/SCTP protocol pools.");
            }
        }
        else if (timeout.Value is not null || granularity.Value is not null)
        {
            throw ApiException.ValidationFailure("persistence_timeout and persistence_granularity is only for UDP and SCTP protocol pools.");
        }

        if (cookieName.Value is not null)
        {
            if (effectiveType != "APP_COOKIE")
            {
                throw ApiException.ValidationFailure("Field \"cookie_name\" can only be specified with session persistence of type \"APP_COOKIE\".");
            }

            if (cookieName.Value.Any(ch => ch <= 0x20 || ch is '"' or '(' or ')' or ',' or '/' or (>= ':' and <= '@') or '[' or '\\' or ']' or '{' or '}' or (char)0x7f || ch > 0xff))
            {
                throw ApiException.ValidationFailure("Supplied \"cookie_name\" is invalid.");
            }
        }

        if (effectiveType is null)
        {
            throw ApiException.ValidationFailure("Invalid session_persistence provided.");
        }

        if (effectiveType == "APP_COOKIE" && cookieName.Value is null)
        {
            throw ApiException.ValidationFailure("Field \"cookie_name\" must be specified when using the \"APP_COOKIE\" session persistence type.");
        }

        return new(true, new SessionPersistence
        {
            Type = effectiveType,
            CookieName = cookieName.Value,
            PersistenceTimeout = timeout.Value,
            PersistenceGranularity = granularity.Value,
        });
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
