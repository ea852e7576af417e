using Microsoft.Extensions.Configuration;

namespace Octavia.Core.Configuration;

/// <summary>The <c>[api_settings]</c> section (reference/controller.md §10).</summary>
public sealed class ApiSettingsOptions
{
    public const string SectionName = "api_settings";

    /// <summary>Address the API listens on.</summary>
    [ConfigurationKeyName("bind_host")] public string BindHost { get; set; } = "127.0.0.1";

    /// <summary>Port the API listens on.</summary>
    [ConfigurationKeyName("bind_port")] public int BindPort { get; set; } = 9876;

    /// <summary><c>noauth</c> (the default here; upstream defaults to keystone, which arrives later).</summary>
    [ConfigurationKeyName("auth_strategy")] public string AuthStrategy { get; set; } = "noauth";

    /// <summary>
    /// Project used under noauth when a request names none (neither body nor X-Project-Id): a single-user
    /// install then works with the plain client. Upstream rejects such a create; see docs/decisions.md.
    /// </summary>
    [ConfigurationKeyName("noauth_default_project_id")] public string NoauthDefaultProjectId { get; set; } = "default";

    [ConfigurationKeyName("allow_pagination")] public bool AllowPagination { get; set; } = true;
    [ConfigurationKeyName("allow_sorting")] public bool AllowSorting { get; set; } = true;
    [ConfigurationKeyName("allow_filtering")] public bool AllowFiltering { get; set; } = true;
    [ConfigurationKeyName("allow_field_selection")] public bool AllowFieldSelection { get; set; } = true;

    /// <summary>Page size default and maximum; "infinite" for no maximum.</summary>
    [ConfigurationKeyName("pagination_max_limit")] public string PaginationMaxLimit { get; set; } = "1000";

    /// <summary>Base URL used in pagination links instead of the request's own.</summary>
    [ConfigurationKeyName("api_base_uri")] public string? ApiBaseUri { get; set; }

    /// <summary>
    /// GET responses kept until the database next changes (SQLite only; 0 turns the cache off). See
    /// docs/decisions.md.
    /// </summary>
    [ConfigurationKeyName("response_cache_entries")] public int ResponseCacheEntries { get; set; } = 256;

    [ConfigurationKeyName("allow_tls_terminated_listeners")] public bool AllowTlsTerminatedListeners { get; set; } = true;
    [ConfigurationKeyName("allow_ping_health_monitors")] public bool AllowPingHealthMonitors { get; set; } = true;
    [ConfigurationKeyName("allow_prometheus_listeners")] public bool AllowPrometheusListeners { get; set; } = true;

    /// <summary>
    /// Enabled providers as <c>name:description</c> pairs separated by commas. Upstream's default lists
    /// only the amphora driver and its alias; <c>noop_driver</c> is there when an operator adds it.
    /// </summary>
    [ConfigurationKeyName("enabled_provider_drivers")]
    public string EnabledProviderDrivers { get; set; } =
        "amphora:The Octavia Amphora driver.,octavia:Deprecated alias of the Octavia Amphora driver.";


    [ConfigurationKeyName("default_provider_driver")] public string DefaultProviderDriver { get; set; } = "amphora";

    [ConfigurationKeyName("udp_connect_min_interval_health_monitor")] public int UdpConnectMinIntervalHealthMonitor { get; set; } = 3;

    /// <summary>Serve <c>/healthcheck</c>. Upstream defaults to false; this project serves it by default.</summary>
    [ConfigurationKeyName("healthcheck_enabled")] public bool HealthcheckEnabled { get; set; } = true;

    [ConfigurationKeyName("default_listener_ciphers")]
    public string DefaultListenerCiphers { get; set; } = DefaultCiphers;

    [ConfigurationKeyName("default_pool_ciphers")]
    public string DefaultPoolCiphers { get; set; } = DefaultCiphers;

    [ConfigurationKeyName("tls_cipher_prohibit_list")] public string TlsCipherProhibitList { get; set; } = "";

    [ConfigurationKeyName("default_listener_tls_versions")] public string DefaultListenerTlsVersions { get; set; } = "TLSv1.2,TLSv1.3";
    [ConfigurationKeyName("default_pool_tls_versions")] public string DefaultPoolTlsVersions { get; set; } = "TLSv1.2,TLSv1.3";
    [ConfigurationKeyName("minimum_tls_version")] public string? MinimumTlsVersion { get; set; }
    [ConfigurationKeyName("default_listener_alpn_protocols")] public string DefaultListenerAlpnProtocols { get; set; } = "h2,http/1.1,http/1.0";
    [ConfigurationKeyName("default_pool_alpn_protocols")] public string DefaultPoolAlpnProtocols { get; set; } = "h2,http/1.1,http/1.0";

    public const string DefaultCiphers =
        "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:ECDHE-ECDSA-AES128-GCM-SHA256:" +
        "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" +
        "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:" +
        "DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";

    public static IReadOnlyList<string> SplitList(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
