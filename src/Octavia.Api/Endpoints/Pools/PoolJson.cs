using System.Text.Json;
using Octavia.Api.Json;
using Octavia.Core.Model;

namespace Octavia.Api.Endpoints.Pools;

/// <summary>
/// The wire shape of a pool (reference/api-samples.txt [26], upstream's PoolResponse order). Upstream leaves
/// <c>healthmonitor_id</c> out (not null) when the pool has no monitor, as sample [26] shows.
/// </summary>
public static class PoolJson
{
    /// <summary>A pool as GET, POST and PUT return it.</summary>
    public static void Write(Utf8JsonWriter writer, Pool pool, IEnumerable<string> listenerIds, IEnumerable<string> memberIds,
        string? healthMonitorId, FieldSet fields)
    {
        var w = new ResourceWriter(writer, fields);
        writer.WriteStartObject();
        WriteHead(w, pool);
        w.IdList("loadbalancers", [pool.LoadBalancerId]);
        w.IdList("listeners", listenerIds);
        w.Time("created_at", pool.CreatedAt);
        w.Time("updated_at", pool.UpdatedAt);
        if (healthMonitorId is not null)
        {
            w.String("healthmonitor_id", healthMonitorId);
        }

        w.IdList("members", memberIds);
        WriteTail(w, pool);
        writer.WriteEndObject();
    }

    /// <summary>
    /// A pool inside a load balancer graph create response (upstream's PoolFullResponse): the full
    /// <c>members</c> and <c>healthmonitor</c> come first, written by the callbacks as values (the monitor is
    /// left out when <paramref name="writeHealthMonitor"/> is null), and there is no <c>loadbalancers</c>.
    /// </summary>
    public static void WriteFull(Utf8JsonWriter writer, Pool pool, IEnumerable<string> listenerIds, Action<Utf8JsonWriter> writeMembers,
        Action<Utf8JsonWriter>? writeHealthMonitor)
    {
        var w = new ResourceWriter(writer, FieldSet.All);
        writer.WriteStartObject();
        writer.WritePropertyName("members");
        writeMembers(writer);
        if (writeHealthMonitor is not null)
        {
            writer.WritePropertyName("healthmonitor");
            writeHealthMonitor(writer);
        }

        WriteHead(w, pool);
        w.IdList("listeners", listenerIds);
        w.Time("created_at", pool.CreatedAt);
        w.Time("updated_at", pool.UpdatedAt);
        WriteTail(w, pool);
        writer.WriteEndObject();
    }

    private static void WriteHead(ResourceWriter w, Pool pool)
    {
        w.String("id", pool.Id);
        w.String("name", pool.Name);
        w.String("description", pool.Description);
        w.String("provisioning_status", pool.ProvisioningStatus);
        w.String("operating_status", pool.OperatingStatus);
        w.Bool("admin_state_up", pool.Enabled);
        w.String("protocol", pool.Protocol);
        w.String("lb_algorithm", pool.LbAlgorithm);
        if (w.Wants("session_persistence"))
        {
            var writer = w.Writer;
            if (pool.SessionPersistence is { } sp)
            {
                writer.WriteStartObject("session_persistence");
                writer.WriteString("type", sp.Type);
                WriteNullable(writer, "cookie_name", sp.CookieName);
                if (sp.PersistenceTimeout is { } timeout)
                {
                    writer.WriteNumber("persistence_timeout", timeout);
                }
                else
                {
                    writer.WriteNull("persistence_timeout");
                }

                WriteNullable(writer, "persistence_granularity", sp.PersistenceGranularity);
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteNull("session_persistence");
            }
        }

        w.String("project_id", pool.ProjectId);
    }

    private static void WriteTail(ResourceWriter w, Pool pool)
    {
        w.StringList("tags", pool.Tags);
        w.String("tls_container_ref", pool.TlsContainerRef);
        w.String("ca_tls_container_ref", pool.CaTlsContainerRef);
        w.String("crl_container_ref", pool.CrlContainerRef);
        w.Bool("tls_enabled", pool.TlsEnabled);
        w.String("tls_ciphers", pool.TlsCiphers);
        w.StringList("tls_versions", pool.TlsVersions);
        w.StringList("alpn_protocols", pool.AlpnProtocols);
        w.String("tenant_id", pool.ProjectId);
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}
