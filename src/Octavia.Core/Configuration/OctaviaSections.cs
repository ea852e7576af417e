using Microsoft.Extensions.Configuration;

namespace Octavia.Core.Configuration;

/// <summary>The <c>[DEFAULT]</c> section.</summary>
public sealed class DefaultOptions
{
    public const string SectionName = "DEFAULT";

    /// <summary>The state directory: SQLite file, certificates, amphora files. Defaults to <c>./var</c>.</summary>
    [ConfigurationKeyName("state_path")] public string StatePath { get; set; } = "./var";

    /// <summary>Name of this host, used as the worker's lease owner.</summary>
    [ConfigurationKeyName("host")] public string Host { get; set; } = Environment.MachineName;
}

/// <summary>The <c>[database]</c> section.</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "database";

    /// <summary>
    /// <c>sqlite:///path</c>, <c>postgresql://user:pass@host:port/db</c> or an ADO.NET connection string
    /// prefixed with <c>sqlite:</c>/<c>postgresql:</c>. Empty means SQLite at <c>$state_path/octavia.db</c>.
    /// </summary>
    [ConfigurationKeyName("connection")] public string Connection { get; set; } = "";

    /// <summary>
    /// SQLite's <c>synchronous</c> setting: NORMAL (default; commits survive process crashes, not power
    /// loss) or FULL (fsync on every commit; survives power loss, writes cost about twice as much).
    /// </summary>
    [ConfigurationKeyName("sqlite_synchronous")] public string SqliteSynchronous { get; set; } = "NORMAL";
}

/// <summary>The <c>[controller_worker]</c> section.</summary>
public sealed class ControllerWorkerOptions
{
    public const string SectionName = "controller_worker";

    /// <summary>Real amphorae by default: namespaces when running as root, plain processes otherwise.</summary>
    [ConfigurationKeyName("compute_driver")]
    public string ComputeDriver { get; set; } =
        Environment.IsPrivilegedProcess ? "compute_netns_driver" : "compute_process_driver";

    [ConfigurationKeyName("network_driver")] public string NetworkDriver { get; set; } = "network_local_driver";
    [ConfigurationKeyName("amphora_driver")] public string AmphoraDriver { get; set; } = "amphora_haproxy_rest_driver";

    /// <summary>SINGLE or ACTIVE_STANDBY.</summary>
    [ConfigurationKeyName("loadbalancer_topology")] public string LoadBalancerTopology { get; set; } = "SINGLE";
}

/// <summary>The <c>[task_flow]</c> section: the durable job engine.</summary>
public sealed class TaskFlowOptions
{
    public const string SectionName = "task_flow";

    /// <summary>Flows one worker runs at once.</summary>
    [ConfigurationKeyName("max_workers")] public int MaxWorkers { get; set; } = 5;

    /// <summary>Do not revert a failed flow (upstream's debugging switch); objects still end in ERROR.</summary>
    [ConfigurationKeyName("disable_revert")] public bool DisableRevert { get; set; }

    /// <summary>Seconds a claimed job stays owned without a renewal; then another worker may resume it.</summary>
    [ConfigurationKeyName("job_lease_seconds")] public double JobLeaseSeconds { get; set; } = 4;

    /// <summary>Seconds between polls for new jobs when no wake-up signal arrives (other processes on SQLite).</summary>
    [ConfigurationKeyName("job_poll_interval")] public double JobPollInterval { get; set; } = 0.5;

    /// <summary>
    /// Times a job may be claimed (a worker that crashes or loses its lease leaves it to be claimed again)
    /// before it is given up: its objects go to ERROR and the job to FAILED.
    /// </summary>
    [ConfigurationKeyName("job_max_attempts")] public int JobMaxAttempts { get; set; } = 5;

    /// <summary>Attempts of one task before the flow reverts.</summary>
    [ConfigurationKeyName("task_max_attempts")] public int TaskMaxAttempts { get; set; } = 4;

    /// <summary>First retry delay in seconds; doubles per attempt, bounded by <see cref="TaskRetryMaxDelay"/>.</summary>
    [ConfigurationKeyName("task_retry_initial_delay")] public double TaskRetryInitialDelay { get; set; } = 0.05;

    [ConfigurationKeyName("task_retry_max_delay")] public double TaskRetryMaxDelay { get; set; } = 2;
}

/// <summary>The <c>[haproxy_amphora]</c> keys the API needs for listener defaults.</summary>
public sealed class HaproxyAmphoraOptions
{
    public const string SectionName = "haproxy_amphora";

    [ConfigurationKeyName("timeout_client_data")] public int TimeoutClientData { get; set; } = 50000;
    [ConfigurationKeyName("timeout_member_connect")] public int TimeoutMemberConnect { get; set; } = 5000;
    [ConfigurationKeyName("timeout_member_data")] public int TimeoutMemberData { get; set; } = 50000;
    [ConfigurationKeyName("timeout_tcp_inspect")] public int TimeoutTcpInspect { get; set; }
    [ConfigurationKeyName("default_connection_limit")] public int DefaultConnectionLimit { get; set; } = 50000;

    /// <summary>
    /// Whether HAProxy logs every connection (upstream's key). Unset: off for local amphorae (netns,
    /// process), which have no syslog reading HAProxy's log socket, so the line costs about 15 % of the
    /// throughput and reaches nobody (docs/decisions.md); on for every other compute driver, as upstream.
    /// </summary>
    [ConfigurationKeyName("connection_logging")] public bool? ConnectionLogging { get; set; }
}

/// <summary>The <c>[networking]</c> keys the API checks.</summary>
public sealed class NetworkingOptions
{
    public const string SectionName = "networking";

    [ConfigurationKeyName("allow_vip_network_id")] public bool AllowVipNetworkId { get; set; } = true;
    [ConfigurationKeyName("allow_vip_subnet_id")] public bool AllowVipSubnetId { get; set; } = true;
    [ConfigurationKeyName("allow_vip_port_id")] public bool AllowVipPortId { get; set; } = true;

    /// <summary>Comma-separated member addresses that are refused.</summary>
    [ConfigurationKeyName("reserved_ips")] public string ReservedIps { get; set; } = "169.254.169.254";

    /// <summary>Comma-separated allow-list of VIP networks (empty: all).</summary>
    [ConfigurationKeyName("valid_vip_networks")] public string ValidVipNetworks { get; set; } = "";

    [ConfigurationKeyName("denylist_vip_networks")] public string DenylistVipNetworks { get; set; } = "";
}

/// <summary>The <c>[quotas]</c> section: defaults for projects without their own limits (-1 = unlimited).</summary>
public sealed class QuotaOptions
{
    public const string SectionName = "quotas";

    [ConfigurationKeyName("default_load_balancer_quota")] public int DefaultLoadBalancerQuota { get; set; } = -1;
    [ConfigurationKeyName("default_listener_quota")] public int DefaultListenerQuota { get; set; } = -1;
    [ConfigurationKeyName("default_pool_quota")] public int DefaultPoolQuota { get; set; } = -1;
    [ConfigurationKeyName("default_health_monitor_quota")] public int DefaultHealthMonitorQuota { get; set; } = -1;
    [ConfigurationKeyName("default_member_quota")] public int DefaultMemberQuota { get; set; } = -1;
    [ConfigurationKeyName("default_l7policy_quota")] public int DefaultL7PolicyQuota { get; set; } = -1;
    [ConfigurationKeyName("default_l7rule_quota")] public int DefaultL7RuleQuota { get; set; } = -1;
}

/// <summary>
/// The <c>[noop_drivers]</c> section: how long the no-op drivers pretend a compute build or a configuration
/// push takes. Zero by default; tests and demos raise it to watch flows in flight (for example the worker
/// crash test, which must kill a worker mid-flow).
/// </summary>
public sealed class NoopDriverOptions
{
    public const string SectionName = "noop_drivers";

    /// <summary>Seconds each no-op compute build and each no-op configuration push takes.</summary>
    [ConfigurationKeyName("delay")] public double Delay { get; set; }
}

/// <summary>The <c>[health_manager]</c> section (reference/health.md §1), read by the health manager and the agent.</summary>
public sealed class HealthManagerOptions
{
    public const string SectionName = "health_manager";

    /// <summary>
    /// The address the heartbeat receiver listens on. Empty: the host's address on the local management
    /// network when the <c>local</c> network driver is in use (amphorae reach the host there), else 127.0.0.1.
    /// </summary>
    [ConfigurationKeyName("bind_ip")] public string BindIp { get; set; } = "";

    [ConfigurationKeyName("bind_port")] public int BindPort { get; set; } = 5555;

    /// <summary>
    /// Comma-separated <c>ip:port</c> receivers an amphora sends its heartbeats to, one per heartbeat in turn.
    /// Empty on the controller: the compute driver gives each amphora the receiver's own address.
    /// </summary>
    [ConfigurationKeyName("controller_ip_port_list")] public string ControllerIpPortList { get; set; } = "";

    /// <summary>Seconds between two heartbeats of one amphora.</summary>
    [ConfigurationKeyName("heartbeat_interval")] public double HeartbeatInterval { get; set; } = 10;

    /// <summary>The HMAC key of heartbeats. Empty: the key <c>octavia certs init</c> made (<c>$state_path/certs/heartbeat.key</c>).</summary>
    [ConfigurationKeyName("heartbeat_key")] public string HeartbeatKey { get; set; } = "";

    /// <summary>Seconds without an accepted heartbeat after which an amphora is stale and failed over.</summary>
    [ConfigurationKeyName("heartbeat_timeout")] public double HeartbeatTimeout { get; set; } = 60;

    /// <summary>Seconds between two scans for stale amphorae.</summary>
    [ConfigurationKeyName("health_check_interval")] public double HealthCheckInterval { get; set; } = 3;

    /// <summary>Failovers one scan starts at most.</summary>
    [ConfigurationKeyName("failover_threads")] public int FailoverThreads { get; set; } = 10;

    /// <summary>When this many amphorae are stale at once, none is failed over: they go FAILOVER_STOPPED. Unset: no limit.</summary>
    [ConfigurationKeyName("failover_threshold")] public int? FailoverThreshold { get; set; }

    /// <summary>If above zero, the receive buffer (SO_RCVBUF) of the heartbeat socket in bytes.</summary>
    [ConfigurationKeyName("sock_rlimit")] public int SockRlimit { get; set; }
}

/// <summary>The <c>[house_keeping]</c> section (reference/controller.md §4-§5).</summary>
public sealed class HouseKeepingOptions
{
    public const string SectionName = "house_keeping";

    /// <summary>READY amphorae kept booted ahead of time; a load balancer create takes one instead of booting.</summary>
    [ConfigurationKeyName("spare_amphora_pool_size")] public int SpareAmphoraPoolSize { get; set; }

    [ConfigurationKeyName("spare_check_interval")] public double SpareCheckInterval { get; set; } = 30;

    [ConfigurationKeyName("cleanup_interval")] public double CleanupInterval { get; set; } = 30;

    /// <summary>Seconds a DELETED amphora row is kept.</summary>
    [ConfigurationKeyName("amphora_expiry_age")] public double AmphoraExpiryAge { get; set; } = 604800;

    /// <summary>Seconds a DELETED load balancer row is kept.</summary>
    [ConfigurationKeyName("load_balancer_expiry_age")] public double LoadBalancerExpiryAge { get; set; } = 604800;

    /// <summary>
    /// Seconds a finished (DONE or FAILED) job row is kept after it finished, for looking into what a flow did;
    /// named like the other expiry ages (upstream keeps no job rows: its jobboard expires claims instead).
    /// </summary>
    [ConfigurationKeyName("job_expiry_age")] public double JobExpiryAge { get; set; } = 604800;

    [ConfigurationKeyName("cert_interval")] public double CertInterval { get; set; } = 3600;

    /// <summary>An amphora certificate that expires within this many seconds is replaced.</summary>
    [ConfigurationKeyName("cert_expiry_buffer")] public double CertExpiryBuffer { get; set; } = 1209600;

    [ConfigurationKeyName("cert_rotate_threads")] public int CertRotateThreads { get; set; } = 10;
}
