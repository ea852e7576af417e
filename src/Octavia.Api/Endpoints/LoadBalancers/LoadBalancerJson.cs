using System.Text.Json;
using Octavia.Api.Json;
using Octavia.Core.Model;

namespace Octavia.Api.Endpoints.LoadBalancers;

/// <summary>The wire shape of a load balancer (reference/api-samples.txt [5], [7]).</summary>
public static class LoadBalancerJson
{
    public static void Write(Utf8JsonWriter writer, LoadBalancer lb, IEnumerable<string> listenerIds, IEnumerable<string> poolIds,
        FieldSet fields, bool childrenFirst = false)
    {
        var w = new ResourceWriter(writer, fields);
        writer.WriteStartObject();
        if (childrenFirst)
        {
            w.IdList("listeners", listenerIds);
            w.IdList("pools", poolIds);
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
            w.IdList("listeners", listenerIds);
            w.IdList("pools", poolIds);
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
