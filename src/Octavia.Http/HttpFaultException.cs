namespace Octavia.Http;

/// <summary>
/// A request that cannot be served, with its HTTP status: each API's middleware writes it in its own fault body
/// (Octavia's <c>faultstring</c>, Neutron's <c>NeutronError</c>). Thrown by the plumbing shared by both (the token
/// check, body reading); the load-balancer API's own faults derive from it.
/// </summary>
public class HttpFaultException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}
