using System.Text.Json;
using Octavia.Api.Json;
using Octavia.Core.Model;

namespace Octavia.Api.Endpoints.L7Rules;

/// <summary>
/// The wire shape of an L7 rule, in the attribute order of upstream's L7RuleResponse (WSME writes
/// attributes in declaration order), plus <c>tenant_id</c> last. There is no <c>l7policy_id</c>.
/// </summary>
public static class L7RuleJson
{
    public static void Write(Utf8JsonWriter writer, L7Rule rule, FieldSet fields)
    {
        var w = new ResourceWriter(writer, fields);
        writer.WriteStartObject();
        w.String("id", rule.Id);
        w.String("type", rule.Type);
        w.String("compare_type", rule.CompareType);
        w.String("key", rule.Key);
        w.String("value", rule.Value);
        w.Bool("invert", rule.Invert);
        w.String("provisioning_status", rule.ProvisioningStatus);
        w.String("operating_status", rule.OperatingStatus);
        w.Time("created_at", rule.CreatedAt);
        w.Time("updated_at", rule.UpdatedAt);
        w.String("project_id", rule.ProjectId);
        w.Bool("admin_state_up", rule.Enabled);
        w.StringList("tags", rule.Tags);
        w.String("tenant_id", rule.ProjectId);
        writer.WriteEndObject();
    }
}
