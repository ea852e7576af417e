using System.Net;

namespace Octavia.Servers;

/// <summary>Where a built-in backend server listens and how it names itself.</summary>
/// <param name="Address">The address to bind.</param>
/// <param name="Port">The port to bind; 0 picks a free one.</param>
/// <param name="Protocol">HTTP or TCP echo.</param>
/// <param name="Name">What <c>GET /</c> (or the TCP greeting) answers; <c>null</c> for <c>address:port</c> (<c>[address]:port</c> for IPv6).</param>
public sealed record BackendServerSettings(IPAddress Address, int Port, BackendServerProtocol Protocol, string? Name);
