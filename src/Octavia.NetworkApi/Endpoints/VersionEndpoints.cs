using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Octavia.NetworkApi.Endpoints;

/// <summary><c>GET /</c> (versions), <c>GET /v2.0</c> (resources) and <c>GET /v2.0/extensions</c>.</summary>
public static class VersionEndpoints
{
    /// <summary>
    /// The extensions whose attributes and behaviour this API has, by Neutron's aliases. Clients look some
    /// up before they send an attribute (openstacksdk, python-openstackclient's <c>port create</c>).
    /// </summary>
    private static readonly (string Alias, string Name, string Description)[] Extensions =
    [
        ("external-net", "Neutron external network", "Adds external network attribute to network resource."),
        ("port-security", "Port Security", "Provides port security."),
        ("binding", "Port Binding", "Expose port bindings of a virtual port to external application."),
        ("net-mtu", "Network MTU", "Provides MTU attribute for a network resource."),
        ("standard-attr-description", "standard-attr-description", "Extension to add descriptions to standard attributes."),
        ("standard-attr-timestamp", "Resource timestamps", "Adds created_at and updated_at fields to all Neutron resources that have Neutron standard attributes."),
        ("project-id", "project_id field enabled", "Extension that indicates that project_id field is enabled."),
        ("network_availability_zone", "Network Availability Zone", "Availability zone support for network."),
        ("subnet-service-types", "Subnet service types", "Provides ability to set the subnet service_types field."),
        ("allowed-address-pairs", "Allowed Address Pairs", "Provides allowed address pairs."),
        ("extra_dhcp_opt", "Neutron Extra DHCP options", "Extra options configuration for DHCP."),
        ("provider", "Provider Network", "Expose mapping of virtual networks to physical networks."),
        ("fip-port-details", "Floating IP Port Details Extension", "Add port_details attribute to Floating IP resource"),
    ];

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/", Versions);
        api.MapGet("/v2.0", Resources);
        api.MapGet("/v2.0/extensions", ListExtensions);
        api.MapGet("/v2.0/extensions/{alias}", ShowExtension);
    }

    private static string Base(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";

    private static IResult Versions(HttpContext http) => NeutronQuery.Respond(200, new JsonObject
    {
        ["versions"] = new JsonArray(new JsonObject
        {
            ["id"] = "v2.0",
            ["status"] = "CURRENT",
            ["links"] = new JsonArray(new JsonObject { ["href"] = Base(http) + "/v2.0/", ["rel"] = "self" }),
        }),
    });

    private static IResult Resources(HttpContext http) => NeutronQuery.Respond(200, new JsonObject
    {
        ["resources"] = new JsonArray(new[] { ("network", "networks"), ("subnet", "subnets"), ("port", "ports") }
            .Select(r => (JsonNode?)new JsonObject
            {
                ["name"] = r.Item1,
                ["collection"] = r.Item2,
                ["links"] = new JsonArray(new JsonObject { ["href"] = $"{Base(http)}/v2.0/{r.Item2}", ["rel"] = "self" }),
            }).ToArray()),
    });

    private static JsonObject Extension((string Alias, string Name, string Description) e) => new()
    {
        ["alias"] = e.Alias,
        ["name"] = e.Name,
        ["description"] = e.Description,
        ["updated"] = "2013-01-01T00:00:00-00:00",
        ["links"] = new JsonArray(),
    };

    private static IResult ListExtensions(HttpContext http) =>
        NeutronQuery.List(http, "extensions", Extensions.Select(Extension));

    private static IResult ShowExtension(string alias, HttpContext http)
    {
        var found = Extensions.FirstOrDefault(e => e.Alias == alias);
        return found.Alias is null
            ? throw new NeutronException(404, "HTTPNotFound", $"Extension with alias {alias} does not exist")
            : NeutronQuery.Show(http, 200, "extension", Extension(found));
    }
}
