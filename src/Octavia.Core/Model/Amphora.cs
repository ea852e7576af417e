namespace Octavia.Core.Model;

public sealed class Amphora
{
    public required string Id { get; set; }
    public string? LoadBalancerId { get; set; }
    public string? ComputeId { get; set; }
    public string? LbNetworkIp { get; set; }
    public string? VrrpIp { get; set; }
    public string? HaIp { get; set; }
    public string? VrrpPortId { get; set; }
    public string? HaPortId { get; set; }
    public DateTime? CertExpiration { get; set; }
    public bool CertBusy { get; set; }
    public string? Role { get; set; }
    public required string Status { get; set; }
    public string? VrrpInterface { get; set; }
    public int? VrrpId { get; set; }
    public int? VrrpPriority { get; set; }
    public string? CachedZone { get; set; }
    public string? ImageId { get; set; }
    public string? ComputeFlavor { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? UpdatedAt { get; set; }
}

/// <summary>Counters of one listener on one amphora (reference/health.md §7).</summary>
public sealed class ListenerStatistics
{
    public required string ListenerId { get; set; }
    public required string AmphoraId { get; set; }
    public long BytesIn { get; set; }
    public long BytesOut { get; set; }
    public long ActiveConnections { get; set; }
    public long TotalConnections { get; set; }
    public long RequestErrors { get; set; }
}

/// <summary>
/// When an amphora's last accepted heartbeat arrived (reference/health.md §4.2, §5). The row appears with the
/// first accepted heartbeat, so an amphora that never reported is never failed over; <see cref="Busy"/> keeps
/// the stale-amphora scan off an amphora a flow is already replacing or deleting.
/// </summary>
public sealed class AmphoraHealth
{
    public required string AmphoraId { get; set; }
    public DateTime LastUpdate { get; set; }
    public bool Busy { get; set; }

    /// <summary>The sequence number of the last accepted heartbeat: a datagram that does not exceed it is a replay.</summary>
    public long Seq { get; set; }
}
