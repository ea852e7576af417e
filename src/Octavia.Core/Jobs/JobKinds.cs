namespace Octavia.Core.Jobs;

/// <summary>Names of the flows the API and housekeeping can ask for; the worker maps each to a flow builder.</summary>
public static class JobKinds
{
    public const string LoadBalancerCreate = "loadbalancer.create";
    public const string LoadBalancerUpdate = "loadbalancer.update";
    public const string LoadBalancerDelete = "loadbalancer.delete";
    public const string LoadBalancerFailover = "loadbalancer.failover";
    public const string ListenerCreate = "listener.create";
    public const string ListenerUpdate = "listener.update";
    public const string ListenerDelete = "listener.delete";
    public const string PoolCreate = "pool.create";
    public const string PoolUpdate = "pool.update";
    public const string PoolDelete = "pool.delete";
    public const string MemberCreate = "member.create";
    public const string MemberUpdate = "member.update";
    public const string MemberDelete = "member.delete";
    public const string MemberBatch = "member.batch";
    public const string HealthMonitorCreate = "healthmonitor.create";
    public const string HealthMonitorUpdate = "healthmonitor.update";
    public const string HealthMonitorDelete = "healthmonitor.delete";
    public const string L7PolicyCreate = "l7policy.create";
    public const string L7PolicyUpdate = "l7policy.update";
    public const string L7PolicyDelete = "l7policy.delete";
    public const string L7RuleCreate = "l7rule.create";
    public const string L7RuleUpdate = "l7rule.update";
    public const string L7RuleDelete = "l7rule.delete";
    public const string AmphoraFailover = "amphora.failover";
    public const string AmphoraConfigUpdate = "amphora.config";
    public const string AmphoraDelete = "amphora.delete";

    /// <summary>Housekeeping: boot one spare amphora (no load balancer) and leave it READY.</summary>
    public const string AmphoraCreateSpare = "amphora.create_spare";

    /// <summary>Housekeeping: give an amphora a new server certificate before the old one expires.</summary>
    public const string AmphoraCertRotate = "amphora.cert_rotate";
}
