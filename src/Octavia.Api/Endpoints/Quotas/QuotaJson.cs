using System.Text.Json;
using Octavia.Api.Hosting;
using Octavia.Api.Json;
using Octavia.Core.Configuration;
using Octavia.Core.Model;

namespace Octavia.Api.Endpoints.Quotas;

/// <summary>The wire shapes of quotas (reference/api.md §12, api-samples.txt [48]-[50]).</summary>
public static class QuotaJson
{
    /// <summary>
    /// GET one, GET default and PUT: the effective values under upstream's original (misspelled) keys only,
    /// no project_id — exactly sample [48].
    /// </summary>
    public static void WriteEffective(Utf8JsonWriter writer, Quota? quota, QuotaOptions defaults)
    {
        int Value(QuotaResource r) => quota is null ? QuotaLimits.Default(defaults, r) : QuotaLimits.Effective(quota, defaults, r);
        writer.WriteStartObject();
        writer.WriteNumber("load_balancer", Value(QuotaResource.LoadBalancer));
        writer.WriteNumber("listener", Value(QuotaResource.Listener));
        writer.WriteNumber("member", Value(QuotaResource.Member));
        writer.WriteNumber("pool", Value(QuotaResource.Pool));
        writer.WriteNumber("health_monitor", Value(QuotaResource.HealthMonitor));
        writer.WriteNumber("l7policy", Value(QuotaResource.L7Policy));
        writer.WriteNumber("l7rule", Value(QuotaResource.L7Rule));
        writer.WriteEndObject();
    }

    /// <summary>
    /// A list item: the stored values (null = deployment default) under both spellings, as upstream's
    /// QuotaAllBase renders them, plus tenant_id last (reference/api.md §1, §12).
    /// </summary>
    public static void WriteStored(Utf8JsonWriter writer, Quota quota, FieldSet fields)
    {
        var w = new ResourceWriter(writer, fields);
        writer.WriteStartObject();
        w.String("project_id", quota.ProjectId);
        w.Int("loadbalancer", quota.LoadBalancer);
        w.Int("load_balancer", quota.LoadBalancer);
        w.Int("listener", quota.Listener);
        w.Int("member", quota.Member);
        w.Int("pool", quota.Pool);
        w.Int("healthmonitor", quota.HealthMonitor);
        w.Int("health_monitor", quota.HealthMonitor);
        w.Int("l7policy", quota.L7Policy);
        w.Int("l7rule", quota.L7Rule);
        w.String("tenant_id", quota.ProjectId);
        writer.WriteEndObject();
    }
}
