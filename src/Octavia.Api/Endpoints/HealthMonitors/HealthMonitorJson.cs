using System.Text.Json;
using Octavia.Api.Json;
using Octavia.Core.Model;

namespace Octavia.Api.Endpoints.HealthMonitors;

/// <summary>The wire shape of a health monitor (reference/api-samples.txt [29]).</summary>
public static class HealthMonitorJson
{
    public static void Write(Utf8JsonWriter writer, HealthMonitor monitor, FieldSet fields)
    {
        var w = new ResourceWriter(writer, fields);
        writer.WriteStartObject();
        w.String("id", monitor.Id);
        w.String("name", monitor.Name);
        w.String("type", monitor.Type);
        w.Int("delay", monitor.Delay);
        w.Int("timeout", monitor.Timeout);
        w.Int("max_retries", monitor.MaxRetries);
        w.Int("max_retries_down", monitor.MaxRetriesDown);
        w.String("http_method", monitor.HttpMethod);
        w.String("url_path", monitor.UrlPath);
        w.String("expected_codes", monitor.ExpectedCodes);
        w.Bool("admin_state_up", monitor.Enabled);
        w.String("project_id", monitor.ProjectId);
        w.IdList("pools", [monitor.PoolId]);
        w.String("provisioning_status", monitor.ProvisioningStatus);
        w.String("operating_status", monitor.OperatingStatus);
        w.Time("created_at", monitor.CreatedAt);
        w.Time("updated_at", monitor.UpdatedAt);
        w.StringList("tags", monitor.Tags);
        if (w.Wants("http_version"))
        {
            // Upstream's value is a Python float: 1.0 is written with its fraction.
            writer.WritePropertyName("http_version");
            if (monitor.HttpVersion is { } version)
            {
                writer.WriteRawValue(HealthMonitorRequests.FormatVersion(version));
            }
            else
            {
                writer.WriteNullValue();
            }
        }

        w.String("domain_name", monitor.DomainName);
        w.String("tenant_id", monitor.ProjectId);
        writer.WriteEndObject();
    }
}
