using System.Text.Json;
using Octavia.Api.Json;
using Octavia.Core.Model;

namespace Octavia.Api.Endpoints.LoadBalancers;

/// <summary>The wire shape of a load balancer (reference/api-samples.txt [5], [7]).</summary>
public static class LoadBalancerJson
{
    public static void Write(Utf8JsonWriter writer, LoadBalancer lb, IEnumerable<string> listenerIds, IEnumerable<string> poolIds,
        FieldSet fields, bool childrenFirst = false) =>
        WriteObject(writer, lb, w => w.IdList("listeners", listenerIds), w => w.IdList("pools", poolIds), fields, childrenFirst);

    /// <summary>The response of a single-call create: the listeners and pools as full objects, first.</summary>
    public static void WriteGraph(Utf8JsonWriter writer, LoadBalancer lb, Action<Utf8JsonWriter> writeListeners, Action<Utf8JsonWriter> writePools) =>
        WriteObject(writer, lb,
            w =>
            {
                w.Writer.WritePropertyName("listeners");
                writeListeners(w.Writer);
            },
            w =>
            {
                w.Writer.WritePropertyName("pools");
                writePools(w.Writer);
            },
            FieldSet.All, childrenFirst: true);

    private static void WriteObject(Utf8JsonWriter writer, LoadBalancer lb, Action<ResourceWriter> writeListeners, Action<ResourceWriter> writePools,
        FieldSet fields, bool childrenFirst)
    {
        var w = new ResourceWriter(writer, fields);
        writer.WriteStartObject();
        if (childrenFirst)
        {
            writeListeners(w);
            writePools(w);
        }

        w.String("id", lb.Id);
        w.String("name", lb.Name);
        w.String("description", lb.Description);
        w.String("provisioning_status", lb.ProvisioningStatus);
        w.String("operating_status", lb.OperatingStatus);
        w.Bool("admin_state_up", lb.Enabled);
        w.String("project_id", lb.ProjectId);
        w.Time("created_at", lb.CreatedAt);
        w.Time("updated_at", lb.UpdatedAt);
        w.String("vip_address", lb.VipAddress);
        w.String("vip_port_id", lb.VipPortId);
        w.String("vip_subnet_id", lb.VipSubnetId);
        w.String("vip_network_id", lb.VipNetworkId);
        if (w.Wants("additional_vips"))
        {
            writer.WriteStartArray("additional_vips");
            foreach (var vip in lb.AdditionalVips)
            {
                writer.WriteStartObject();
                writer.WriteString("subnet_id", vip.SubnetId);
                writer.WriteString("ip_address", vip.IpAddress);
                writer.WriteString("port_id", vip.PortId);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        if (!childrenFirst)
        {
            if (w.Wants("listeners"))
            {
                writeListeners(w);
            }

            if (w.Wants("pools"))
            {
                writePools(w);
            }
        }

        w.String("provider", string.IsNullOrEmpty(lb.Provider) ? "octavia" : lb.Provider);
        w.String("flavor_id", lb.FlavorId);
        w.String("vip_qos_policy_id", lb.VipQosPolicyId);
        w.StringList("tags", lb.Tags);
        w.String("availability_zone", lb.AvailabilityZone);
        w.StringList("vip_sg_ids", lb.VipSgIds);
        w.String("vip_vnic_type", lb.VipVnicType);
        w.String("tenant_id", lb.ProjectId);
        writer.WriteEndObject();
    }
}
