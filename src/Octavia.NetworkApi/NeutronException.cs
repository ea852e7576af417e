namespace Octavia.NetworkApi;

/// <summary>
/// A request the networking API refuses, written as Neutron's error body
/// <c>{"NeutronError": {"type": ..., "message": ..., "detail": ""}}</c> by <see cref="NeutronMiddleware"/>.
/// </summary>
public sealed class NeutronException(int statusCode, string type, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    /// <summary>Neutron's exception class name (<c>NetworkNotFound</c>, <c>IpAddressAlreadyAllocated</c>, ...).</summary>
    public string Type { get; } = type;

    /// <summary>What Neutron's attribute validation answers: <c>HTTPBadRequest</c>.</summary>
    public static NeutronException BadRequest(string message) => new(400, "HTTPBadRequest", message);

    /// <summary>A value that fails validation, in Neutron's words.</summary>
    public static NeutronException InvalidAttribute(string attribute, string reason) =>
        BadRequest($"Invalid input for {attribute}. Reason: {reason}.");

    public static NeutronException InvalidInput(string message) => new(400, "InvalidInput", "Invalid input for operation: " + message);

    public static NeutronException NotFound(string resource, string id) =>
        new(404, resource + "NotFound", $"{resource} {id} could not be found.");
}
