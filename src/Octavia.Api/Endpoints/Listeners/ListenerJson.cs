using System.Text.Json;
using Octavia.Api.Json;
using Octavia.Core.Model;

namespace Octavia.Api.Endpoints.Listeners;

/// <summary>The wire shape of a listener (reference/api-samples.txt [22], plus the v2.27 HSTS attributes).</summary>
public static class ListenerJson
{
    /// <summary>A listener as GET, POST and PUT return it: <c>l7policies</c> and <c>loadbalancers</c> as <c>[{"id"}]</c>.</summary>
    public static void Write(Utf8JsonWriter writer, Listener listener, IEnumerable<string> l7PolicyIds, FieldSet fields) =>
        WriteObject(writer, listener, fields, w => w.IdList("l7policies", l7PolicyIds), full: false);

    /// <summary>
    /// A listener inside a load balancer graph create response (upstream's ListenerFullResponse): the full
    /// <c>l7policies</c> come first, written by <paramref name="writeL7Policies"/> as an array value, and there
    /// is no <c>loadbalancers</c>.
    /// </summary>
    public static void WriteFull(Utf8JsonWriter writer, Listener listener, Action<Utf8JsonWriter> writeL7Policies) =>
        WriteObject(writer, listener, FieldSet.All, w =>
        {
            w.Writer.WritePropertyName("l7policies");
            writeL7Policies(w.Writer);
        }, full: true);

    private static void WriteObject(Utf8JsonWriter writer, Listener l, FieldSet fields, Action<ResourceWriter> writeL7Policies, bool full)
    {
        var w = new ResourceWriter(writer, fields);
        writer.WriteStartObject();
        if (full)
        {
            writeL7Policies(w);
        }

        w.String("id", l.Id);
        w.String("name", l.Name);
        w.String("description", l.Description);
        w.String("provisioning_status", l.ProvisioningStatus);
        w.String("operating_status", l.OperatingStatus);
        w.Bool("admin_state_up", l.Enabled);
        w.String("protocol", l.Protocol);
        w.Int("protocol_port", l.ProtocolPort);
        w.Int("connection_limit", l.ConnectionLimit);
        w.String("default_tls_container_ref", l.DefaultTlsContainerRef);
        w.StringList("sni_container_refs", l.SniContainerRefs);
        w.String("project_id", l.ProjectId);
        w.String("default_pool_id", l.DefaultPoolId);
        if (!full && w.Wants("l7policies"))
        {
            writeL7Policies(w);
        }

        w.StringMap("insert_headers", l.InsertHeaders);
        w.Time("created_at", l.CreatedAt);
        w.Time("updated_at", l.UpdatedAt);
        if (!full)
        {
            w.IdList("loadbalancers", [l.LoadBalancerId]);
        }

        w.Int("timeout_client_data", l.TimeoutClientData);
        w.Int("timeout_member_connect", l.TimeoutMemberConnect);
        w.Int("timeout_member_data", l.TimeoutMemberData);
        w.Int("timeout_tcp_inspect", l.TimeoutTcpInspect);
        w.StringList("tags", l.Tags);
        w.String("client_ca_tls_container_ref", l.ClientCaTlsContainerRef);
        w.String("client_authentication", l.ClientAuthentication);
        w.String("client_crl_container_ref", l.ClientCrlContainerRef);
        w.StringList("allowed_cidrs", l.AllowedCidrs is { Count: > 0 } ? l.AllowedCidrs : null);
        w.String("tls_ciphers", l.TlsCiphers);
        w.StringList("tls_versions", l.TlsVersions);
        w.StringList("alpn_protocols", l.AlpnProtocols);
        w.Int("hsts_max_age", l.HstsMaxAge);
        w.Bool("hsts_include_subdomains", l.HstsIncludeSubdomains);
        w.Bool("hsts_preload", l.HstsPreload);
        w.String("tenant_id", l.ProjectId);
        writer.WriteEndObject();
    }
}
