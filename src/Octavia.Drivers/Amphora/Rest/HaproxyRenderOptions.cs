namespace Octavia.Drivers.Amphora.Rest;

/// <summary>What the HAProxy configuration depends on besides the objects (reference/amphora.md §5).</summary>
public sealed record HaproxyRenderOptions
{
    /// <summary>Directory of the stats socket and server-state files on the amphora.</summary>
    public string BasePath { get; init; } = "/var/lib/octavia";

    /// <summary>Directory of the listener certificates on the amphora.</summary>
    public string CertDirectory { get; init; } = "/var/lib/octavia/certs";

    /// <summary><c>[haproxy_amphora] default_connection_limit</c>, used where a listener says -1.</summary>
    public int DefaultConnectionLimit { get; init; } = 50000;

    /// <summary><c>[haproxy_amphora] connection_logging</c>.</summary>
    public bool ConnectionLogging { get; init; } = true;

    /// <summary><c>[haproxy_amphora] haproxy_stick_size</c>.</summary>
    public string StickSize { get; init; } = "10k";

    public int UserLogFacility { get; init; }

    public int AdministrativeLogFacility { get; init; } = 1;

    /// <summary><c>[haproxy_amphora] user_log_format</c>, with <c>{{ project_id }}</c> and <c>{{ lb_id }}</c> placeholders.</summary>
    public string UserLogFormat { get; init; } =
        "{{ project_id }} {{ lb_id }} %f %ci %cp %t %{+Q}r %ST %B %U %[ssl_c_verify] %{+Q}[ssl_c_s_dn] %b %s %Tt %tsc";

    /// <summary>Upper bound of the global maxconn (upstream's HAPROXY_MAX_MAXCONN).</summary>
    public int MaxGlobalConnections { get; init; } = 1_000_000;
}
