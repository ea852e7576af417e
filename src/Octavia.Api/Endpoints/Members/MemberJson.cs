using System.Text.Json;
using Octavia.Api.Json;
using Octavia.Core.Model;

namespace Octavia.Api.Endpoints.Members;

/// <summary>
/// The wire shape of a member (reference/api-samples.txt [32]; upstream master adds <c>vnic_type</c>
/// after <c>tags</c>). There is no <c>pool_id</c>.
/// </summary>
public static class MemberJson
{
    public static void Write(Utf8JsonWriter writer, Member member, FieldSet fields)
    {
        var w = new ResourceWriter(writer, fields);
        writer.WriteStartObject();
        w.String("id", member.Id);
        w.String("name", member.Name);
        w.String("operating_status", member.OperatingStatus);
        w.String("provisioning_status", member.ProvisioningStatus);
        w.Bool("admin_state_up", member.Enabled);
        w.String("address", member.Address);
        w.Int("protocol_port", member.ProtocolPort);
        w.Int("weight", member.Weight);
        w.Bool("backup", member.Backup);
        w.String("subnet_id", member.SubnetId);
        w.String("project_id", member.ProjectId);
        w.Time("created_at", member.CreatedAt);
        w.Time("updated_at", member.UpdatedAt);
        w.String("monitor_address", member.MonitorAddress);
        w.Int("monitor_port", member.MonitorPort);
        w.StringList("tags", member.Tags);
        w.String("vnic_type", member.VnicType);
        w.String("tenant_id", member.ProjectId);
        writer.WriteEndObject();
    }
}
