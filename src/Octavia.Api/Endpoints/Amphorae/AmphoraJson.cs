using System.Text.Json;
using Octavia.Api.Json;
using Octavia.Core.Model;

namespace Octavia.Api.Endpoints.Amphorae;

/// <summary>The wire shapes of an amphora (api-samples.txt [53]) and of its statistics (reference/api.md §13.6).</summary>
public static class AmphoraJson
{
    public static void Write(Utf8JsonWriter writer, AmphoraView amphora, FieldSet fields)
    {
        var w = new ResourceWriter(writer, fields);
        writer.WriteStartObject();
        w.String("id", amphora.Id);
        w.String("loadbalancer_id", amphora.LoadBalancerId);
        w.String("compute_id", amphora.ComputeId);
        w.String("lb_network_ip", amphora.LbNetworkIp);
        w.String("vrrp_ip", amphora.VrrpIp);
        w.String("ha_ip", amphora.HaIp);
        w.String("vrrp_port_id", amphora.VrrpPortId);
        w.String("ha_port_id", amphora.HaPortId);
        w.Time("cert_expiration", amphora.CertExpiration);
        w.Bool("cert_busy", amphora.CertBusy);
        w.String("role", amphora.Role);
        w.String("status", amphora.Status);
        w.String("vrrp_interface", amphora.VrrpInterface);
        w.Int("vrrp_id", amphora.VrrpId);
        w.Int("vrrp_priority", amphora.VrrpPriority);
        w.String("cached_zone", amphora.CachedZone);
        w.Time("created_at", amphora.CreatedAt);
        w.Time("updated_at", amphora.UpdatedAt);
        w.String("image_id", amphora.ImageId);
        w.String("compute_flavor", amphora.ComputeFlavor);
        writer.WriteEndObject();
    }

    /// <summary>One listener's counters on the amphora, in upstream's attribute order (AmphoraStatisticsResponse).</summary>
    public static void WriteStatistics(Utf8JsonWriter writer, ListenerStatistics stats, string? loadBalancerId)
    {
        writer.WriteStartObject();
        writer.WriteNumber("active_connections", stats.ActiveConnections);
        writer.WriteNumber("bytes_in", stats.BytesIn);
        writer.WriteNumber("bytes_out", stats.BytesOut);
        writer.WriteString("id", stats.AmphoraId);
        writer.WriteString("listener_id", stats.ListenerId);
        if (loadBalancerId is null)
        {
            writer.WriteNull("loadbalancer_id");
        }
        else
        {
            writer.WriteString("loadbalancer_id", loadBalancerId);
        }

        writer.WriteNumber("request_errors", stats.RequestErrors);
        writer.WriteNumber("total_connections", stats.TotalConnections);
        writer.WriteEndObject();
    }
}
