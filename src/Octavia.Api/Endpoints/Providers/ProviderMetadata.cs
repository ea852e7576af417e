using System.Globalization;
using System.Text.Json;
using Octavia.Api.Faults;
using Octavia.Api.Hosting;
using Octavia.Core.Configuration;

// The folder is Providers/ but the namespace is not "…Endpoints.Providers": that name would hide the
// Hosting.Providers class from every endpoint namespace that calls Providers.Resolve / IsAmphora.
namespace Octavia.Api.Endpoints.ProviderDrivers;

/// <summary>
/// What each provider this build ships accepts in flavor and availability zone profiles: its capability
/// lists and its <c>validate_flavor</c> / <c>validate_availability_zone</c> (reference/api.md §13.1).
/// </summary>
public static class ProviderMetadata
{
    public enum MetadataKind
    {
        Flavor,
        AvailabilityZone,
    }

    private enum ValueType
    {
        String,
        Boolean,
        Array,
    }

    private sealed record Capability(string Name, string Description, ValueType Type, IReadOnlyList<string>? Allowed = null);

    private static readonly IReadOnlyList<string> Topologies = ["SINGLE", "ACTIVE_STANDBY"];

    /// <summary>The amphora driver's flavor schema, in upstream's order and wording.</summary>
    private static readonly IReadOnlyList<Capability> AmphoraFlavor =
    [
        new("loadbalancer_topology", "The load balancer topology. One of: SINGLE - One amphora per load balancer. ACTIVE_STANDBY - Two amphora per load balancer.", ValueType.String, Topologies),
        new("compute_flavor", "The compute driver flavor ID.", ValueType.String),
        new("amp_image_tag", "The amphora image tag.", ValueType.String),
        new("sriov_vip", "When true, the VIP port will be created using an SR-IOV VF port.", ValueType.Boolean),
        new("allow_member_sriov", "When true, users can request a member port be SR-IOV enabled at member creation time.", ValueType.Boolean),
    ];

    private static readonly IReadOnlyList<Capability> AmphoraAvailabilityZone =
    [
        new("compute_zone", "The compute availability zone.", ValueType.String),
        new("volume_zone", "The volume availability zone.", ValueType.String),
        new("management_network", "The management network ID for the amphora.", ValueType.String),
        new("valid_vip_networks", "List of network IDs that are allowed for VIP use. This overrides/replaces the list of allowed networks configured in `octavia.conf`.", ValueType.Array),
    ];

    // Upstream's no-op provider advertises one sample capability of each kind and accepts any metadata;
    // this one does the same, so clients see the same answer from either.
    private static readonly IReadOnlyList<Capability> NoopFlavor =
        [new("amp_image_tag", "The glance image tag to use for this load balancer.", ValueType.String)];

    private static readonly IReadOnlyList<Capability> NoopAvailabilityZone =
        [new("compute_zone", "The compute availability zone to use for this loadbalancer.", ValueType.String)];

    /// <summary>
    /// Upstream's <c>driver_factory.get_driver</c>: a provider missing from <c>enabled_provider_drivers</c>
    /// is 400 "not enabled"; one enabled but not shipped by this build is 501 "was not found".
    /// </summary>
    public static string Require(ApiSettingsOptions settings, string provider)
    {
        if (!Providers.Enabled(settings).Any(p => p.Name == provider))
        {
            throw ApiException.BadRequest($"Provider '{provider}' is not enabled.");
        }

        if (!Providers.IsAmphora(provider) && provider != Providers.Noop)
        {
            throw ApiException.NotImplemented($"Provider '{provider}' was not found.");
        }

        return provider;
    }

    public static IEnumerable<(string Name, string Description)> Capabilities(string provider, MetadataKind kind) =>
        Schema(provider, kind).Select(c => (c.Name, c.Description));

    /// <summary>
    /// Checks profile metadata (already parsed JSON) the way the provider's JSON schema does; a refusal is
    /// upstream's 501 "does not support a requested option" with the schema's message.
    /// </summary>
    public static void Validate(string provider, MetadataKind kind, JsonElement metadata)
    {
        if (provider == Providers.Noop)
        {
            return;
        }

        var message = SchemaError(Schema(provider, kind), metadata);
        if (message is not null)
        {
            throw ApiException.NotImplemented($"Provider '{provider}' does not support a requested option: {message}");
        }
    }

    private static IReadOnlyList<Capability> Schema(string provider, MetadataKind kind) => (provider == Providers.Noop, kind) switch
    {
        (true, MetadataKind.Flavor) => NoopFlavor,
        (true, _) => NoopAvailabilityZone,
        (false, MetadataKind.Flavor) => AmphoraFlavor,
        _ => AmphoraAvailabilityZone,
    };

    /// <summary>jsonschema's messages (type, enum, additionalProperties), prefixed with the key as upstream does.</summary>
    private static string? SchemaError(IReadOnlyList<Capability> schema, JsonElement metadata)
    {
        if (metadata.ValueKind != JsonValueKind.Object)
        {
            return $"{PythonRepr(metadata)} is not of type 'object'";
        }

        var unexpected = metadata.EnumerateObject().Select(p => p.Name).Where(n => schema.All(c => c.Name != n)).ToList();
        if (unexpected.Count > 0)
        {
            var names = string.Join(", ", unexpected.Select(n => $"'{n}'"));
            return $"Additional properties are not allowed ({names} {(unexpected.Count == 1 ? "was" : "were")} unexpected)";
        }

        foreach (var property in metadata.EnumerateObject())
        {
            var capability = schema.First(c => c.Name == property.Name);
            var value = property.Value;
            var typeOk = capability.Type switch
            {
                ValueType.String => value.ValueKind == JsonValueKind.String,
                ValueType.Boolean => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
                _ => value.ValueKind == JsonValueKind.Array,
            };
            if (!typeOk)
            {
                var typeName = capability.Type switch
                {
                    ValueType.String => "string",
                    ValueType.Boolean => "boolean",
                    _ => "array",
                };
                return $"{property.Name} {PythonRepr(value)} is not of type '{typeName}'";
            }

            if (capability.Allowed is { } allowed && !allowed.Contains(value.GetString()!))
            {
                return $"{property.Name} {PythonRepr(value)} is not one of [{string.Join(", ", allowed.Select(a => $"'{a}'"))}]";
            }
        }

        return null;
    }

    /// <summary>How Python prints a JSON value in jsonschema's messages (<c>'text'</c>, <c>True</c>, <c>None</c>).</summary>
    private static string PythonRepr(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"'{value.GetString()}'",
        JsonValueKind.True => "True",
        JsonValueKind.False => "False",
        JsonValueKind.Null => "None",
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.Array => "[" + string.Join(", ", value.EnumerateArray().Select(PythonRepr)) + "]",
        _ => "{" + string.Join(", ", value.EnumerateObject().Select(p => string.Create(CultureInfo.InvariantCulture, $"'{p.Name}': {PythonRepr(p.Value)}"))) + "}",
    };

    /// <summary>
    /// Parses a profile's metadata string; not JSON is upstream's 400
    /// "<c>&lt;value&gt; is not a valid option for &lt;option&gt;</c>".
    /// </summary>
    public static JsonElement ParseMetadata(string text, string option)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw ApiException.BadRequest($"{text} is not a valid option for {option}");
        }
    }
}
