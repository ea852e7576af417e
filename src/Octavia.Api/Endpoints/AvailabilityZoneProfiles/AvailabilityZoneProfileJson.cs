using System.Text.Json;
using Octavia.Api.Json;
using Octavia.Core.Model;

namespace Octavia.Api.Endpoints.AvailabilityZoneProfiles;

/// <summary>The wire shape of a availability zone profile (upstream's AvailabilityZoneProfileResponse).</summary>
public static class AvailabilityZoneProfileJson
{
    public static void Write(Utf8JsonWriter writer, AvailabilityZoneProfile profile, FieldSet fields)
    {
        var w = new ResourceWriter(writer, fields);
        writer.WriteStartObject();
        w.String("id", profile.Id);
        w.String("name", profile.Name);
        w.String("provider_name", profile.ProviderName);
        w.String("availability_zone_data", profile.AvailabilityZoneData);
        writer.WriteEndObject();
    }
}
