using System.Text.Json;
using Octavia.Api.Json;
using Octavia.Core.Model;

namespace Octavia.Api.Endpoints.AvailabilityZones;

/// <summary>The wire shape of an availability zone (upstream's AvailabilityZoneResponse: no id, keyed by name).</summary>
public static class AvailabilityZoneJson
{
    public static void Write(Utf8JsonWriter writer, AvailabilityZone zone, FieldSet fields)
    {
        var w = new ResourceWriter(writer, fields);
        writer.WriteStartObject();
        w.String("name", zone.Name);
        w.String("description", zone.Description);
        w.Bool("enabled", zone.Enabled);
        w.String("availability_zone_profile_id", zone.AvailabilityZoneProfileId);
        writer.WriteEndObject();
    }
}
