using System.Text.Json;
using Octavia.Api.Json;
using Octavia.Core.Model;

namespace Octavia.Api.Endpoints.L7Policies;

/// <summary>The wire shape of an L7 policy, in the attribute order of upstream's L7PolicyResponse, plus <c>tenant_id</c> last.</summary>
public static class L7PolicyJson
{
    public static void Write(Utf8JsonWriter writer, L7Policy policy, IEnumerable<string> ruleIds, FieldSet fields)
    {
        var w = new ResourceWriter(writer, fields);
        writer.WriteStartObject();
        w.String("id", policy.Id);
        w.String("name", policy.Name);
        w.String("description", policy.Description);
        w.String("provisioning_status", policy.ProvisioningStatus);
        w.String("operating_status", policy.OperatingStatus);
        w.Bool("admin_state_up", policy.Enabled);
        w.String("project_id", policy.ProjectId);
        w.String("action", policy.Action);
        w.String("listener_id", policy.ListenerId);
        w.String("redirect_pool_id", policy.RedirectPoolId);
        w.String("redirect_url", policy.RedirectUrl);
        w.String("redirect_prefix", policy.RedirectPrefix);
        w.Int("position", policy.Position);
        w.IdList("rules", ruleIds);
        w.Time("created_at", policy.CreatedAt);
        w.Time("updated_at", policy.UpdatedAt);
        w.StringList("tags", policy.Tags);
        w.Int("redirect_http_code", policy.RedirectHttpCode);
        w.String("tenant_id", policy.ProjectId);
        writer.WriteEndObject();
    }
}
