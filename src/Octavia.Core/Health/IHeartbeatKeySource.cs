namespace Octavia.Core.Health;

/// <summary>
/// Where the heartbeat key comes from when <c>[health_manager] heartbeat_key</c> is empty: the key the certificate
/// driver keeps beside its CA (the one <c>octavia certs init</c> writes and amphorae get in their boot files).
/// </summary>
public interface IHeartbeatKeySource
{
    /// <summary>The stored key, made and stored first when there is none yet; null when this source keeps no key.</summary>
    string? ReadOrCreateKey();
}
