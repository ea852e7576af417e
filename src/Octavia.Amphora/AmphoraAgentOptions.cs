using Microsoft.Extensions.Configuration;

namespace Octavia.Amphora;

/// <summary>The agent's settings: <c>[amphora_agent]</c> and the agent half of <c>[haproxy_amphora]</c> (reference/amphora.md §2).</summary>
public sealed class AmphoraAgentOptions
{
    public const string SectionName = "amphora_agent";

    /// <summary>The agent's certificate and key in one PEM file (issued by the server CA for this amphora).</summary>
    [ConfigurationKeyName("agent_server_cert")] public string AgentServerCert { get; set; } = "/etc/octavia/certs/server.pem";

    /// <summary>The CA a controller's client certificate must chain to.</summary>
    [ConfigurationKeyName("agent_server_ca")] public string AgentServerCa { get; set; } = "/etc/octavia/certs/client_ca.pem";

    /// <summary>Lowest TLS version accepted: TLSv1.2 or TLSv1.3.</summary>
    [ConfigurationKeyName("agent_tls_protocol")] public string AgentTlsProtocol { get; set; } = "TLSv1.2";

    [ConfigurationKeyName("amphora_id")] public string? AmphoraId { get; set; }
}

/// <summary>Where the agent listens: <c>[haproxy_amphora] bind_host</c>/<c>bind_port</c>.</summary>
public sealed class AgentBindOptions
{
    public const string SectionName = "haproxy_amphora";

    [ConfigurationKeyName("bind_host")] public string BindHost { get; set; } = "::";

    [ConfigurationKeyName("bind_port")] public int BindPort { get; set; } = 9443;

    /// <summary>Where the agent keeps each load balancer's HAProxy files.</summary>
    [ConfigurationKeyName("base_path")] public string BasePath { get; set; } = "/var/lib/octavia";

    /// <summary>The HAProxy binary that validates and runs configurations.</summary>
    [ConfigurationKeyName("haproxy_cmd")] public string HaproxyCommand { get; set; } = "/usr/sbin/haproxy";
}
