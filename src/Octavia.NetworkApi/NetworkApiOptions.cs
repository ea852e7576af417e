using Microsoft.Extensions.Configuration;

namespace Octavia.NetworkApi;

/// <summary>
/// The <c>[network_api]</c> section: where <c>octavia network-api</c> (and <c>octavia all</c>) serves the
/// Neutron-compatible networking API v2.0 of the <c>local</c> network driver.
/// </summary>
public sealed class NetworkApiOptions
{
    public const string SectionName = "network_api";

    /// <summary>Listen address; Neutron's default port is 9696.</summary>
    [ConfigurationKeyName("bind_host")] public string BindHost { get; set; } = "127.0.0.1";

    /// <summary>Listen port; 0 picks a free one.</summary>
    [ConfigurationKeyName("bind_port")] public int BindPort { get; set; } = 9696;
}
