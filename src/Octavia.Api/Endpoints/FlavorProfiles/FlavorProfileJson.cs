using System.Text.Json;
using Octavia.Api.Json;
using Octavia.Core.Model;

namespace Octavia.Api.Endpoints.FlavorProfiles;

/// <summary>The wire shape of a flavor profile (upstream's FlavorProfileResponse).</summary>
public static class FlavorProfileJson
{
    public static void Write(Utf8JsonWriter writer, FlavorProfile profile, FieldSet fields)
    {
        var w = new ResourceWriter(writer, fields);
        writer.WriteStartObject();
        w.String("id", profile.Id);
        w.String("name", profile.Name);
        w.String("provider_name", profile.ProviderName);
        w.String("flavor_data", profile.FlavorData);
        writer.WriteEndObject();
    }
}
