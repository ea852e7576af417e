namespace Octavia.Http;

/// <summary>Headers every OpenStack API answers with.</summary>
public static class OpenStackHeaders
{
    /// <summary>oslo.middleware's request id, <c>req-</c> and a UUID, on every response.</summary>
    public const string RequestId = "x-openstack-request-id";
}
