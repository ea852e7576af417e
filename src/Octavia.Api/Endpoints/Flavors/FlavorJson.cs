using System.Text.Json;
using Octavia.Api.Json;
using Octavia.Core.Model;

namespace Octavia.Api.Endpoints.Flavors;

/// <summary>The wire shape of a flavor (upstream's FlavorResponse).</summary>
public static class FlavorJson
{
    public static void Write(Utf8JsonWriter writer, Flavor flavor, FieldSet fields)
    {
        var w = new ResourceWriter(writer, fields);
        writer.WriteStartObject();
        w.String("id", flavor.Id);
        w.String("name", flavor.Name);
        w.String("description", flavor.Description);
        w.Bool("enabled", flavor.Enabled);
        w.String("flavor_profile_id", flavor.FlavorProfileId);
        writer.WriteEndObject();
    }
}
