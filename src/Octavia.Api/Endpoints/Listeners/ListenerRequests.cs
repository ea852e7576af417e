using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Octavia.Api.Faults;
using Octavia.Api.Json;
using Octavia.Core.Configuration;
using Octavia.Core.Model;
using Octavia.Core.Statuses;
using Octavia.Db;

namespace Octavia.Api.Endpoints.Listeners;

/// <summary>A parsed listener POST: the entity (not yet stored) and the nested objects of a graph create.</summary>
/// <param name="Listener">Validated listener; <c>ProjectId</c> and (in a graph) <c>LoadBalancerId</c> are set by the caller.</param>
/// <param name="DefaultPool">Graph create only: the <c>default_pool</c> object (a pool definition or a name reference).</param>
/// <param name="L7Policies">Graph create only: the <c>l7policies</c> objects.</param>
public sealed record ListenerCreate(Listener Listener, JsonBody? DefaultPool, IReadOnlyList<JsonBody> L7Policies);

/// <summary>
/// Listener request parsing and validation (reference/api.md §7), shared by the listener endpoints and the
/// load balancer graph create. Nothing here touches the database except the <c>…Async</c> checks.
/// </summary>
public static class ListenerRequests
{
    private static readonly string[] CommonAttributes =
    [
        "name", "description", "admin_state_up", "protocol", "protocol_port", "connection_limit", "default_tls_container_ref",
        "sni_container_refs", "default_pool_id", "insert_headers", "timeout_client_data", "timeout_member_connect",
        "timeout_member_data", "timeout_tcp_inspect", "tags", "client_ca_tls_container_ref", "client_authentication",
        "client_crl_container_ref", "allowed_cidrs", "tls_ciphers", "tls_versions", "alpn_protocols", "hsts_max_age",
        "hsts_include_subdomains", "hsts_preload",
    ];

    /// <summary>Attributes of <c>POST /v2/lbaas/listeners</c>.</summary>
    public static readonly HashSet<string> PostAttributes = [.. CommonAttributes, "loadbalancer_id", "project_id", "tenant_id"];

    /// <summary>Attributes of a listener inside a load balancer graph create (upstream's ListenerSingleCreate).</summary>
    public static readonly HashSet<string> GraphAttributes = [.. CommonAttributes, "default_pool", "l7policies"];

    /// <summary>Attributes of an L7 policy inside a graph create (upstream's L7PolicySingleCreate).</summary>
    public static readonly HashSet<string> GraphL7PolicyAttributes =
    [
        "name", "description", "admin_state_up", "action", "redirect_pool", "redirect_url", "redirect_prefix", "position", "rules",
        "tags", "redirect_http_code",
    ];

    public static readonly HashSet<string> PutAttributes =
    [
        "name", "description", "admin_state_up", "connection_limit", "default_tls_container_ref", "sni_container_refs",
        "default_pool_id", "insert_headers", "timeout_client_data", "timeout_member_connect", "timeout_member_data",
        "timeout_tcp_inspect", "tags", "client_ca_tls_container_ref", "client_authentication", "client_crl_container_ref",
        "allowed_cidrs", "tls_ciphers", "tls_versions", "alpn_protocols", "hsts_max_age", "hsts_include_subdomains", "hsts_preload",
    ];

    /// <summary>Headers any HTTP or TERMINATED_HTTPS listener may insert (reference/api.md §7.4).</summary>
    public static readonly IReadOnlyList<string> HttpHeaders =
        ["X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto", "X-Forwarded-IP", "X-Client-IP", "X-Real-IP"];

    /// <summary>Client-certificate headers, TERMINATED_HTTPS only.</summary>
    public static readonly IReadOnlyList<string> SslHeaders =
    [
        "X-SSL-Client-Verify", "X-SSL-Client-Has-Cert", "X-SSL-Client-DN", "X-SSL-Client-CN", "X-SSL-Issuer", "X-SSL-Client-SHA1",
        "X-SSL-Client-Not-Before", "X-SSL-Client-Not-After",
    ];

    /// <summary>Pool protocols each listener protocol can forward to (reference/api.md §7.3).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> CompatiblePoolProtocols = new Dictionary<string, string[]>
    {
        ["HTTP"] = ["HTTP", "PROXY", "PROXYV2"],
        ["HTTPS"] = ["HTTPS", "PROXY", "PROXYV2", "TCP"],
        ["TCP"] = ["HTTP", "HTTPS", "PROXY", "PROXYV2", "TCP"],
        ["TERMINATED_HTTPS"] = ["HTTP", "PROXY", "PROXYV2"],
        ["UDP"] = ["UDP"],
        ["SCTP"] = ["SCTP"],
        ["PROMETHEUS"] = [],
    };

    private const int MaxTimeout = 2073600000;

    /// <summary>The L4 protocol a listener protocol occupies its port with (upstream's L4_PROTOCOL_MAP).</summary>
    public static string L4Protocol(string protocol) => protocol is "UDP" or "SCTP" ? protocol : "TCP";

    /// <summary>
    /// Parses and validates a listener POST body (everything that needs no database). The returned listener is
    /// PENDING_CREATE/OFFLINE with a new id and upstream's defaults filled in.
    /// </summary>
    public static ListenerCreate ParseCreate(JsonBody body, ApiSettingsOptions settings, HaproxyAmphoraOptions haproxy)
    {
        var name = body.String("name");
        var description = body.String("description");
        var adminStateUp = body.Bool("admin_state_up");
        var protocol = JsonBody.Required("protocol", body.Enum("protocol", Constants.ListenerProtocols));
        var protocolPort = JsonBody.RequiredValue("protocol_port", body.Int("protocol_port", 1, 65535));
        var connectionLimit = body.Int("connection_limit", -1);
        var defaultTls = body.String("default_tls_container_ref");
        var sni = body.StringList("sni_container_refs");
        var loadBalancerId = body.Uuid("loadbalancer_id");
        body.String("project_id", 36);
        body.String("tenant_id", 36);
        var defaultPoolId = body.Uuid("default_pool_id");
        var insertHeaders = body.StringMap("insert_headers");
        var timeoutClientData = body.Int("timeout_client_data", 0, MaxTimeout);
        var timeoutMemberConnect = body.Int("timeout_member_connect", 0, MaxTimeout);
        var timeoutMemberData = body.Int("timeout_member_data", 0, MaxTimeout);
        var timeoutTcpInspect = body.Int("timeout_tcp_inspect", 0, MaxTimeout);
        var tags = body.Tags();
        var clientCa = body.String("client_ca_tls_container_ref");
        var clientAuth = body.Enum("client_authentication", Constants.ClientAuthentications);
        var clientCrl = body.String("client_crl_container_ref");
        var allowedCidrs = ParseCidrs(body);
        var tlsCiphers = body.String("tls_ciphers", 2048);
        var tlsVersions = body.StringList("tls_versions", 32);
        var alpn = ParseAlpn(body);
        var hstsMaxAge = body.Int("hsts_max_age", 0);
        var hstsSubdomains = body.Bool("hsts_include_subdomains");
        var hstsPreload = body.Bool("hsts_preload");
        var defaultPool = body.Has("default_pool") ? body.Object("default_pool", Pools.PoolRequests.GraphAttributes).Value : null;
        var l7Policies = body.Has("l7policies") ? body.ObjectList("l7policies", GraphL7PolicyAttributes).Value ?? [] : [];

        var listener = new Listener
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
            ProtocolPort = protocolPort,
            ConnectionLimit = connectionLimit.Value ?? -1,
            DefaultPoolId = defaultPoolId.Value,
            DefaultTlsContainerRef = NullIfEmpty(defaultTls.Value),
            SniContainerRefs = sni.Value ?? [],
            ClientCaTlsContainerRef = NullIfEmpty(clientCa.Value),
            ClientAuthentication = clientAuth.Value ?? "NONE",
            ClientCrlContainerRef = NullIfEmpty(clientCrl.Value),
            InsertHeaders = insertHeaders.Value ?? [],
            TimeoutClientData = timeoutClientData.Value ?? haproxy.TimeoutClientData,
            TimeoutMemberConnect = timeoutMemberConnect.Value ?? haproxy.TimeoutMemberConnect,
            TimeoutMemberData = timeoutMemberData.Value ?? haproxy.TimeoutMemberData,
            TimeoutTcpInspect = timeoutTcpInspect.Value ?? haproxy.TimeoutTcpInspect,
            AllowedCidrs = allowedCidrs.Value is { Count: > 0 } cidrs ? cidrs : null,
            TlsCiphers = tlsCiphers.Value,
            TlsVersions = tlsVersions.Value,
            AlpnProtocols = alpn.Value,
            HstsMaxAge = hstsMaxAge.Value,
            HstsIncludeSubdomains = hstsSubdomains.Value ?? false,
            HstsPreload = hstsPreload.Value ?? false,
            Tags = tags.Value ?? [],
        };

        if (listener.Protocol == "TERMINATED_HTTPS")
        {
            // Only TLS-terminating listeners get the deployment's TLS defaults; the others keep null (upstream's db_prepare).
            listener.TlsCiphers ??= settings.DefaultListenerCiphers;
            listener.TlsVersions ??= [.. ApiSettingsOptions.SplitList(settings.DefaultListenerTlsVersions)];
            listener.AlpnProtocols ??= [.. ApiSettingsOptions.SplitList(settings.DefaultListenerAlpnProtocols)];
        }

        ValidateCreate(listener, settings, tlsVersions.Present, alpn.Present);
        if (defaultPoolId.Value is not null && listener.Protocol == "PROMETHEUS")
        {
            throw NoChildren();
        }

        return new ListenerCreate(listener, defaultPool, l7Policies);
    }

    private static void ValidateCreate(Listener listener, ApiSettingsOptions settings, bool versionsGiven, bool alpnGiven)
    {
        var protocol = listener.Protocol;
        var hasCertRefs = HasCertRefs(listener.DefaultTlsContainerRef, listener.SniContainerRefs);
        var tlsOffload = protocol == "TERMINATED_HTTPS" || (protocol == "PROMETHEUS" && hasCertRefs);

        if (listener.InsertHeaders.Count > 0)
        {
            ValidateInsertHeaders(listener.InsertHeaders.Keys.ToList(), protocol);
        }

        if (protocol is "UDP" or "SCTP" && hasCertRefs)
        {
            throw ApiException.ValidationFailure($"{protocol} protocol listener does not support TLS.");
        }

        if (!settings.AllowTlsTerminatedListeners && tlsOffload)
        {
            throw Disabled(protocol == "PROMETHEUS" ? "PROMETHEUS with TLS" : protocol);
        }

        if (!settings.AllowPrometheusListeners && protocol == "PROMETHEUS")
        {
            throw Disabled("PROMETHEUS");
        }

        if (!tlsOffload && hasCertRefs)
        {
            throw ApiException.ValidationFailure($"Certificate container references are not allowed on {protocol} protocol listeners.");
        }

        if (listener.ClientCaTlsContainerRef is not null && !hasCertRefs)
        {
            throw ApiException.ValidationFailure("An SNI or default certificate container reference must be provided with a client CA container reference.");
        }

        if (tlsOffload && !hasCertRefs)
        {
            throw ApiException.ValidationFailure(
                $"An SNI or default certificate container reference must be provided for {(protocol == "PROMETHEUS" ? "PROMETHEUS with TLS" : protocol)} protocol listeners.");
        }

        // There is no certificate manager yet: any non-empty reference string is accepted as it is. Once one
        // exists, the references must be fetched here (400 "Could not retrieve certificate: [...]").
        ValidateClientAuth(listener.ClientAuthentication, listener.ClientCaTlsContainerRef, listener.ClientCrlContainerRef);
        ValidateCiphers(listener.TlsCiphers, settings);
        if (tlsOffload || versionsGiven)
        {
            ValidateTlsVersions(listener.TlsVersions, settings);
        }

        if (tlsOffload || alpnGiven)
        {
            ValidateAlpn(listener.AlpnProtocols);
        }

        if ((listener.HstsIncludeSubdomains || listener.HstsPreload) && listener.HstsMaxAge is null)
        {
            throw ApiException.ValidationFailure(
                "HSTS configuration options hsts_include_subdomains and hsts_preload only make sense if hsts_max_age is set as well.");
        }

        if (listener.HstsMaxAge is not null && protocol != "TERMINATED_HTTPS")
        {
            throw ApiException.ValidationFailure("The HSTS feature can only be used for listeners using the TERMINATED_HTTPS protocol.");
        }
    }

    /// <summary>
    /// Parses a listener PUT body and applies it to <paramref name="listener"/> (create-only attributes are
    /// unknown attributes here, so 400). Returns whether <c>default_pool_id</c> was given with a value,
    /// which the caller checks against the database.
    /// </summary>
    public static bool ApplyUpdate(JsonBody body, Listener listener, ApiSettingsOptions settings, HaproxyAmphoraOptions haproxy)
    {
        var name = body.String("name");
        var description = body.String("description");
        var adminStateUp = body.Bool("admin_state_up");
        var connectionLimit = body.Int("connection_limit", -1);
        var defaultTls = body.String("default_tls_container_ref");
        var sni = body.StringList("sni_container_refs");
        var defaultPoolId = body.Uuid("default_pool_id");
        var insertHeaders = body.StringMap("insert_headers");
        var timeoutClientData = body.Int("timeout_client_data", 0, MaxTimeout);
        var timeoutMemberConnect = body.Int("timeout_member_connect", 0, MaxTimeout);
        var timeoutMemberData = body.Int("timeout_member_data", 0, MaxTimeout);
        var timeoutTcpInspect = body.Int("timeout_tcp_inspect", 0, MaxTimeout);
        var tags = body.Tags();
        var clientCa = body.String("client_ca_tls_container_ref");
        var clientAuth = body.Enum("client_authentication", Constants.ClientAuthentications);
        var clientCrl = body.String("client_crl_container_ref");
        var allowedCidrs = ParseCidrs(body);
        var tlsCiphers = body.String("tls_ciphers", 2048);
        var tlsVersions = body.StringList("tls_versions", 32);
        var alpn = ParseAlpn(body);
        var hstsMaxAge = body.Int("hsts_max_age", 0);
        var hstsSubdomains = body.Bool("hsts_include_subdomains");
        var hstsPreload = body.Bool("hsts_preload");

        var protocol = listener.Protocol;
        var newCertRefs = HasCertRefs(defaultTls.Value, sni.Value);
        var tlsOffload = protocol == "TERMINATED_HTTPS" || (protocol == "PROMETHEUS" && (newCertRefs || HasCertRefs(listener.DefaultTlsContainerRef, listener.SniContainerRefs)));

        if (protocol is "UDP" or "SCTP" && (newCertRefs || insertHeaders.Value is { Count: > 0 }))
        {
            throw ApiException.ValidationFailure($"{protocol} protocol listener does not support TLS or header insertion.");
        }

        if (!tlsOffload && newCertRefs)
        {
            throw ApiException.ValidationFailure($"Certificate container references are not allowed on {protocol} protocol listeners.");
        }

        if (insertHeaders.Value is { Count: > 0 } headers)
        {
            ValidateInsertHeaders(headers.Keys.ToList(), protocol);
        }

        Apply(name, v => listener.Name = v ?? "");
        Apply(description, v => listener.Description = v ?? "");
        Apply(adminStateUp, v => listener.Enabled = v ?? false);
        Apply(connectionLimit, v => listener.ConnectionLimit = v ?? -1);
        Apply(defaultTls, v => listener.DefaultTlsContainerRef = NullIfEmpty(v));
        Apply(sni, v => listener.SniContainerRefs = v ?? []);
        Apply(defaultPoolId, v => listener.DefaultPoolId = v);
        Apply(insertHeaders, v => listener.InsertHeaders = v ?? []);
        Apply(timeoutClientData, v => listener.TimeoutClientData = v ?? haproxy.TimeoutClientData);
        Apply(timeoutMemberConnect, v => listener.TimeoutMemberConnect = v ?? haproxy.TimeoutMemberConnect);
        Apply(timeoutMemberData, v => listener.TimeoutMemberData = v ?? haproxy.TimeoutMemberData);
        Apply(timeoutTcpInspect, v => listener.TimeoutTcpInspect = v ?? haproxy.TimeoutTcpInspect);
        Apply(tags, v => listener.Tags = v ?? []);
        Apply(clientCa, v => listener.ClientCaTlsContainerRef = NullIfEmpty(v));
        Apply(clientAuth, v => listener.ClientAuthentication = v ?? "NONE");
        Apply(clientCrl, v => listener.ClientCrlContainerRef = NullIfEmpty(v));
        Apply(allowedCidrs, v => listener.AllowedCidrs = v is { Count: > 0 } ? v : null);

        // null puts the deployment default back, for TLS-offloading listeners only (the others have no TLS settings).
        Apply(tlsCiphers, v => listener.TlsCiphers = v ?? (tlsOffload ? settings.DefaultListenerCiphers : null));
        Apply(tlsVersions, v => listener.TlsVersions = v ?? (tlsOffload ? [.. ApiSettingsOptions.SplitList(settings.DefaultListenerTlsVersions)] : null));
        Apply(alpn, v => listener.AlpnProtocols = v ?? (tlsOffload ? [.. ApiSettingsOptions.SplitList(settings.DefaultListenerAlpnProtocols)] : null));
        Apply(hstsSubdomains, v => listener.HstsIncludeSubdomains = v ?? false);
        Apply(hstsPreload, v => listener.HstsPreload = v ?? false);

        if (hstsSubdomains.Value == true || hstsPreload.Value == true)
        {
            if (hstsMaxAge.Value is null && listener.HstsMaxAge is null)
            {
                throw ApiException.ValidationFailure("Cannot enable hsts_include_subdomains or hsts_preload if hsts_max_age was not set as well.");
            }
        }

        if (hstsMaxAge.Value is not null && protocol != "TERMINATED_HTTPS")
        {
            throw ApiException.ValidationFailure("The HSTS feature can only be used for listeners using the TERMINATED_HTTPS protocol.");
        }

        Apply(hstsMaxAge, v => listener.HstsMaxAge = v);

        if (listener.ClientAuthentication != "NONE" && listener.ClientCaTlsContainerRef is null)
        {
            throw ApiException.ValidationFailure($"Client authentication setting {listener.ClientAuthentication} requires a client CA container reference.");
        }

        if (listener.ClientCrlContainerRef is not null && listener.ClientCaTlsContainerRef is null)
        {
            throw ApiException.ValidationFailure("A client authentication CA reference is required to specify a client authentication revocation list.");
        }

        if (tlsCiphers.Value is not null)
        {
            ValidateCiphers(tlsCiphers.Value, settings);
        }

        if (tlsVersions.Present)
        {
            ValidateTlsVersions(tlsVersions.Value ?? listener.TlsVersions, settings);
        }

        if (alpn.Present)
        {
            ValidateAlpn(alpn.Value ?? listener.AlpnProtocols);
        }

        if (defaultPoolId.Value is not null && protocol == "PROMETHEUS")
        {
            throw NoChildren();
        }

        return defaultPoolId.Value is not null;
    }

    /// <summary>409 when another listener of the load balancer uses the same L4 protocol and port.</summary>
    public static void CheckDuplicatePort(Listener candidate, IEnumerable<Listener> others)
    {
        var l4 = L4Protocol(candidate.Protocol);
        foreach (var other in others)
        {
            if (other.Id != candidate.Id && other.ProtocolPort == candidate.ProtocolPort && L4Protocol(other.Protocol) == l4)
            {
                throw ApiException.Conflict(string.Create(CultureInfo.InvariantCulture,
                    $"Another Listener on this Load Balancer is already using protocol {other.Protocol} and protocol_port {candidate.ProtocolPort}"));
            }
        }
    }

    /// <summary>Loads the load balancer's listeners on the candidate's port and checks them (see <see cref="CheckDuplicatePort"/>).</summary>
    public static async Task CheckDuplicatePortAsync(OctaviaDbContext db, Listener candidate, CancellationToken cancellationToken)
    {
        var samePort = await db.Listeners
            .Where(l => l.LoadBalancerId == candidate.LoadBalancerId && l.ProtocolPort == candidate.ProtocolPort)
            .ToListAsync(cancellationToken);
        CheckDuplicatePort(candidate, samePort);
    }

    /// <summary>
    /// Each allowed CIDR must share its IP family with at least one VIP of the load balancer, and allowed CIDRs
    /// cannot be combined with custom VIP security groups.
    /// </summary>
    public static void CheckCidrsAgainstVips(IReadOnlyList<string>? cidrs, LoadBalancer lb)
    {
        if (cidrs is not { Count: > 0 })
        {
            return;
        }

        if (lb.VipSgIds.Count > 0)
        {
            throw ApiException.ValidationFailure("Allowed CIDRs are not allowed when using custom VIP Security Groups.");
        }

        var vips = new[] { lb.VipAddress }.Concat(lb.AdditionalVips.Select(v => v.IpAddress)).OfType<string>().ToList();
        foreach (var cidr in cidrs)
        {
            var v6 = cidr.Contains(':', StringComparison.Ordinal);
            if (!vips.Any(v => v.Contains(':', StringComparison.Ordinal) == v6))
            {
                throw ApiException.ValidationFailure($"CIDR {cidr} IP version incompatible with all VIPs {PythonList(vips)} IP version.");
            }
        }
    }

    /// <summary>A listener's default pool: on the same load balancer (404 otherwise) and of a compatible protocol (400).</summary>
    public static async Task CheckDefaultPoolAsync(OctaviaDbContext db, string loadBalancerId, string poolId, string listenerProtocol, CancellationToken cancellationToken)
    {
        var pool = await db.Pools.Where(p => p.Id == poolId && p.LoadBalancerId == loadBalancerId)
            .Select(p => new { p.Protocol }).FirstOrDefaultAsync(cancellationToken)
            ?? throw ApiException.NotFound("Pool", poolId);
        CheckPoolProtocol(listenerProtocol, pool.Protocol);
    }

    /// <summary>400 unless a listener of <paramref name="listenerProtocol"/> can forward to a pool of <paramref name="poolProtocol"/>.</summary>
    public static void CheckPoolProtocol(string listenerProtocol, string poolProtocol)
    {
        if (!CompatiblePoolProtocols.TryGetValue(listenerProtocol, out var allowed) || !allowed.Contains(poolProtocol))
        {
            throw ApiException.ValidationFailure(
                $"The pool protocol '{poolProtocol}' is invalid while the listener protocol is '{listenerProtocol}'.");
        }
    }

    /// <summary>"Protocol PROMETHEUS listeners cannot have child objects."</summary>
    public static ApiException NoChildren() => ApiException.BadRequest("Protocol PROMETHEUS listeners cannot have child objects.");

    /// <summary>Cipher string characters and the deployment's prohibit list (shared with pools).</summary>
    public static void ValidateCiphers(string? ciphers, ApiSettingsOptions settings)
    {
        if (string.IsNullOrEmpty(ciphers))
        {
            return;
        }

        if (!ciphers.All(c => char.IsAsciiLetterOrDigit(c) || "-+!:@=_.".Contains(c, StringComparison.Ordinal)))
        {
            throw ApiException.ValidationFailure("Invalid characters in cipher string. Only alphanumeric, -, +, !, :, @, =, _, and . are allowed.");
        }

        var prohibited = settings.TlsCipherProhibitList.Split(':');
        var rejected = ciphers.Split(':').Where(c => prohibited.Contains(c)).ToList();
        if (rejected.Count > 0)
        {
            throw ApiException.ValidationFailure("The following ciphers have been prohibited by an administrator: " + string.Join(", ", rejected));
        }
    }

    /// <summary>TLS version list: not empty, known values, none below <c>minimum_tls_version</c> (shared with pools).</summary>
    public static void ValidateTlsVersions(IReadOnlyList<string>? versions, ApiSettingsOptions settings)
    {
        if (versions is null)
        {
            return;
        }

        if (versions.Count == 0)
        {
            throw ApiException.ValidationFailure("Empty TLS version list. Either specify at least one TLS version or remove this parameter to use the default.");
        }

        var invalid = versions.Where(v => !Constants.TlsVersions.Contains(v)).ToList();
        if (invalid.Count > 0)
        {
            throw ApiException.ValidationFailure("Invalid TLS versions: " + string.Join(", ", invalid));
        }

        if (!string.IsNullOrEmpty(settings.MinimumTlsVersion))
        {
            var min = IndexOf(Constants.TlsVersions, settings.MinimumTlsVersion);
            var rejected = versions.Where(v => IndexOf(Constants.TlsVersions, v) < min).ToList();
            if (rejected.Count > 0)
            {
                throw ApiException.ValidationFailure(
                    "Requested TLS versions are less than the minimum: " + string.Join(", ", rejected) + " < " + settings.MinimumTlsVersion);
            }
        }
    }

    /// <summary>ALPN list: not empty (values were checked while parsing).</summary>
    public static void ValidateAlpn(IReadOnlyList<string>? protocols)
    {
        if (protocols is { Count: 0 })
        {
            throw ApiException.ValidationFailure("Empty ALPN protocol list. Either specify at least one ALPN protocol or remove this parameter to use the default.");
        }
    }

    /// <summary>Reads an <c>alpn_protocols</c> list, each value one of h2, http/1.1, http/1.0.</summary>
    public static Opt<List<string>?> ParseAlpn(JsonBody body)
    {
        var alpn = body.StringList("alpn_protocols");
        foreach (var p in alpn.Value ?? [])
        {
            if (!Constants.AlpnProtocols.Contains(p))
            {
                throw ApiException.InvalidInput("alpn_protocols", p, "Value should be a valid ALPN protocol ID");
            }
        }

        return alpn;
    }

    /// <summary>Reads <c>allowed_cidrs</c>, normalising each to network/prefix and dropping repeats.</summary>
    private static Opt<List<string>?> ParseCidrs(JsonBody body)
    {
        var raw = body.StringList("allowed_cidrs", int.MaxValue);
        if (raw.Value is null)
        {
            return raw;
        }

        var result = new List<string>();
        foreach (var cidr in raw.Value)
        {
            var normalised = NormaliseCidr(cidr) ?? throw ApiException.InvalidInput("allowed_cidrs", cidr, "Value should be IPv4 or IPv6 CIDR format");
            if (!result.Contains(normalised))
            {
                result.Add(normalised);
            }
        }

        return new(true, result);
    }

    /// <summary>Python's <c>ip_network(value, strict=False).with_prefixlen</c>: host bits are cleared.</summary>
    public static string? NormaliseCidr(string value)
    {
        var parts = value.Split('/');
        if (parts.Length > 2 || !IPAddress.TryParse(parts[0], out var address) || parts[0].Contains('%', StringComparison.Ordinal)
            || (address.AddressFamily == AddressFamily.InterNetwork && parts[0].Count(c => c == '.') != 3))
        {
            return null;
        }

        var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = bits;
        if (parts.Length == 2 && (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > bits))
        {
            return null;
        }

        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        return string.Create(CultureInfo.InvariantCulture, $"{new IPAddress(bytes)}/{prefix}");
    }

    private static void ValidateInsertHeaders(List<string> keys, string protocol)
    {
        if (protocol is not ("HTTP" or "TERMINATED_HTTPS"))
        {
            throw ApiException.BadRequest($"insert-headers is not a valid option for a {protocol} protocol listener.");
        }

        if (keys.Any(k => !HttpHeaders.Contains(k) && !SslHeaders.Contains(k)))
        {
            throw ApiException.BadRequest($"{PythonList(keys)} is not a valid option for insert_headers");
        }

        var ssl = keys.Where(SslHeaders.Contains).ToList();
        if (protocol != "TERMINATED_HTTPS" && ssl.Count > 0)
        {
            throw ApiException.BadRequest($"{PythonList(ssl)} is not a valid option for {protocol} protocol listener.");
        }
    }

    private static void ValidateClientAuth(string clientAuthentication, string? clientCa, string? clientCrl)
    {
        if (clientAuthentication != "NONE" && clientCa is null)
        {
            throw ApiException.ValidationFailure($"Client authentication setting {clientAuthentication} requires a client CA container reference.");
        }

        if (clientCrl is not null && clientCa is null)
        {
            throw ApiException.ValidationFailure("A client authentication CA reference is required to specify a client authentication revocation list.");
        }
    }

    private static ApiException Disabled(string value) =>
        ApiException.BadRequest($"The selected protocol is not allowed in this deployment: {value}");

    private static bool HasCertRefs(string? defaultTls, IReadOnlyList<string>? sni) =>
        !string.IsNullOrEmpty(defaultTls) || sni is { Count: > 0 };

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static int IndexOf(IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == value)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Upstream formats lists in messages with Python's repr: <c>['a', 'b']</c>.</summary>
    public static string PythonList(IEnumerable<string> items) => "[" + string.Join(", ", items.Select(i => $"'{i}'")) + "]";

    private static void Apply<T>(Opt<T> value, Action<T> set)
    {
        if (value.Present)
        {
            set(value.Value);
        }
    }
}
