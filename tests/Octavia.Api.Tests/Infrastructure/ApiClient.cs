using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Octavia.Core.Statuses;
using Octavia.Db;

namespace Octavia.Api.Tests.Infrastructure;

/// <summary>A response as the tests look at it: status, headers and the parsed JSON body.</summary>
public sealed record ApiResponse(HttpStatusCode Status, JsonNode? Body, string Raw, HttpResponseMessage Message)
{
    public JsonNode Json => Body ?? throw new InvalidOperationException($"No JSON body: {Raw}");

    public string Fault => Json["faultstring"]!.GetValue<string>();
}

/// <summary>Helpers that every API test uses: raw requests and the "wait for ACTIVE" loop.</summary>
public static class ApiClient
{
    public static async Task<ApiResponse> SendAsync(this HttpClient client, HttpMethod method, string path, string? body = null, IDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        foreach (var (k, v) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(k, v);
        }

        var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var raw = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        JsonNode? json = null;
        if (raw.Length > 0 && response.Content.Headers.ContentType?.MediaType == "application/json")
        {
            json = JsonNode.Parse(raw);
        }

        return new ApiResponse(response.StatusCode, json, raw, response);
    }

    public static Task<ApiResponse> ApiGetAsync(this HttpClient client, string path) => client.SendAsync(HttpMethod.Get, path);

    public static Task<ApiResponse> ApiPostAsync(this HttpClient client, string path, string body) => client.SendAsync(HttpMethod.Post, path, body);

    public static Task<ApiResponse> ApiPutAsync(this HttpClient client, string path, string body) => client.SendAsync(HttpMethod.Put, path, body);

    public static Task<ApiResponse> ApiDeleteAsync(this HttpClient client, string path) => client.SendAsync(HttpMethod.Delete, path);

    /// <summary>Polls an object until its provisioning_status is not PENDING_*; returns the final object.</summary>
    public static async Task<JsonNode> WaitForStableAsync(this HttpClient client, string path, string envelope)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var response = await client.ApiGetAsync(path);
            if (response.Status == HttpStatusCode.NotFound)
            {
                return response.Json;
            }

            var obj = response.Json[envelope]!;
            var status = obj["provisioning_status"]!.GetValue<string>();
            if (!ProvisioningStatus.IsPending(status) || DateTime.UtcNow > deadline)
            {
                return obj;
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Waits until the load balancer is ACTIVE again (its child operations finished).</summary>
    public static async Task WaitForLoadBalancerAsync(this HttpClient client, string loadBalancerId)
    {
        var lb = await client.WaitForStableAsync($"/v2/lbaas/loadbalancers/{loadBalancerId}", "loadbalancer");
        if (lb["provisioning_status"]?.GetValue<string>() is { } s && s != ProvisioningStatus.Active)
        {
            throw new InvalidOperationException($"Load balancer {loadBalancerId} ended {s}");
        }
    }

    /// <summary>Creates a load balancer and waits for ACTIVE; returns its id.</summary>
    public static async Task<string> CreateLoadBalancerAsync(this HttpClient client, string name = "lb", string? extra = null, string? project = null)
    {
        var projectPart = project is null ? "" : $", \"project_id\": \"{project}\"";
        var body = "{\"loadbalancer\": {\"name\": \"" + name + "\", \"vip_subnet_id\": \"8a2b7c1e-4d3f-4a5b-9c6d-7e8f9a0b1c2d\""
            + projectPart + (extra ?? "") + "}}";
        var response = await client.ApiPostAsync("/v2/lbaas/loadbalancers", body);
        if (response.Status != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"Create failed: {response.Status} {response.Raw}");
        }

        var id = response.Json["loadbalancer"]!["id"]!.GetValue<string>();
        await client.WaitForLoadBalancerAsync(id);
        return id;
    }

    /// <summary>
    /// Creates a listener on a load balancer and waits until the load balancer is ACTIVE again; returns its id.
    /// <paramref name="extra"/> is appended to the listener object (e.g. <c>, "name": "x"</c>).
    /// </summary>
    public static async Task<string> CreateListenerAsync(this HttpClient client, string loadBalancerId, string protocol = "HTTP", int port = 80, string? extra = null)
    {
        var body = "{\"listener\": {\"loadbalancer_id\": \"" + loadBalancerId + "\", \"protocol\": \"" + protocol + "\", \"protocol_port\": "
            + port.ToString(System.Globalization.CultureInfo.InvariantCulture) + (extra ?? "") + "}}";
        return await client.CreateChildAsync("/v2/lbaas/listeners", "listener", body, loadBalancerId);
    }

    /// <summary>
    /// Creates a pool on the load balancer, or as the default pool of <paramref name="listenerId"/> when given, and
    /// waits until the load balancer is ACTIVE again; returns its id.
    /// </summary>
    public static async Task<string> CreatePoolAsync(this HttpClient client, string loadBalancerId, string? listenerId = null, string protocol = "HTTP",
        string algorithm = "ROUND_ROBIN", string? extra = null)
    {
        var parent = listenerId is null ? "\"loadbalancer_id\": \"" + loadBalancerId + "\"" : "\"listener_id\": \"" + listenerId + "\"";
        var body = "{\"pool\": {" + parent + ", \"protocol\": \"" + protocol + "\", \"lb_algorithm\": \"" + algorithm + "\"" + (extra ?? "") + "}}";
        return await client.CreateChildAsync("/v2/lbaas/pools", "pool", body, loadBalancerId);
    }

    /// <summary>POSTs a child object of a load balancer (expects 201), then waits for the load balancer to be ACTIVE; returns the new id.</summary>
    public static async Task<string> CreateChildAsync(this HttpClient client, string path, string envelope, string body, string loadBalancerId)
    {
        var response = await client.ApiPostAsync(path, body);
        if (response.Status != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"Create failed: {response.Status} {response.Raw}");
        }

        var id = response.Json[envelope]!["id"]!.GetValue<string>();
        await client.WaitForLoadBalancerAsync(loadBalancerId);
        return id;
    }

    /// <summary>Runs <paramref name="action"/> on the fixture's database, for state the API cannot produce (e.g. a PENDING load balancer).</summary>
    public static async Task WithDbAsync(this OctaviaFixture fixture, Func<OctaviaDbContext, Task> action)
    {
        await using var scope = fixture.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OctaviaDbContext>();
        await action(db);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
    }
}
