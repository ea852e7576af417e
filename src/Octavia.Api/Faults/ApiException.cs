using System.Globalization;
using Octavia.Http;

namespace Octavia.Api.Faults;

/// <summary>
/// A request that cannot be served, turned into upstream's fault body
/// <c>{"faultcode": "Client", "faultstring": ..., "debuginfo": null}</c> by <see cref="OpenStackMiddleware"/>.
/// </summary>
public sealed class ApiException(int statusCode, string faultString) : HttpFaultException(statusCode, faultString)
{
    public static ApiException BadRequest(string message) => new(400, message);

    /// <summary>Octavia's semantic validation failure (reference/api.md §3.2).</summary>
    public static ApiException ValidationFailure(string detail) => new(400, "Validation failure: " + detail);

    public static ApiException InvalidInput(string field, string? rawValue, string detail) =>
        new(400, string.Create(CultureInfo.InvariantCulture, $"Invalid input for field/attribute {field}. Value: '{rawValue ?? "None"}'. {detail}"));

    public static ApiException NotFound(string resource, string id) => new(404, $"{resource} {id} not found.");

    public static ApiException Conflict(string message) => new(409, message);

    public static ApiException Forbidden() => new(403, "Policy does not allow this request to be performed.");

    public static ApiException QuotaMet(string resource) => new(403, $"Quota has been met for resources: {resource}");

    public static ApiException Immutable(string resource, string id) =>
        new(409, $"{resource} {id} is immutable and cannot be updated.");

    public static ApiException InvalidLoadBalancerState(string status, string id) =>
        new(409, $"Invalid state {status} of loadbalancer resource {id}");

    public static ApiException NotImplemented(string message) => new(501, message);
}
