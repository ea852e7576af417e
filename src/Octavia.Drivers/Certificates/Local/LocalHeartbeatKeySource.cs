using Octavia.Core.Health;

namespace Octavia.Drivers.Certificates.Local;

/// <summary>The heartbeat key in the local CA's directory, made as <c>octavia certs init</c> would when missing.</summary>
internal sealed class LocalHeartbeatKeySource(LocalCertificateAuthority authority) : IHeartbeatKeySource
{
    public string? ReadOrCreateKey()
    {
        if (authority.ReadHeartbeatKey() is { } key)
        {
            return key;
        }

        authority.Initialize();
        return authority.ReadHeartbeatKey();
    }
}
