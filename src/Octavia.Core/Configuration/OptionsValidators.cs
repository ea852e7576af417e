using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Octavia.Core.Configuration;

/// <summary>
/// Binding with validation at start: a wrong value in octavia.conf stops the process with one message naming
/// the section and key, instead of surfacing as a failure deep in a flow or a heartbeat loop.
/// </summary>
public static class ValidatedOptions
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to <paramref name="section"/> and checks it with
    /// <typeparamref name="TValidator"/> when the host starts (registered once, however many roles ask).
    /// </summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions, TValidator>(this IServiceCollection services,
        IConfiguration configuration, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        return services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateOnStart();
    }

    internal static ValidateOptionsResult Result(List<string> failures) =>
        failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
}

/// <summary>The <c>[controller_worker]</c> keys (unknown driver names are refused where the drivers are chosen).</summary>
public sealed class ControllerWorkerOptionsValidator : IValidateOptions<ControllerWorkerOptions>
{
    public ValidateOptionsResult Validate(string? name, ControllerWorkerOptions options)
    {
        var failures = new List<string>();
        if (options.LoadBalancerTopology is not ("SINGLE" or "ACTIVE_STANDBY"))
        {
            failures.Add($"[controller_worker] loadbalancer_topology must be SINGLE or ACTIVE_STANDBY, not '{options.LoadBalancerTopology}'.");
        }

        foreach (var (key, value) in new[] { ("compute_driver", options.ComputeDriver), ("network_driver", options.NetworkDriver), ("amphora_driver", options.AmphoraDriver) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                failures.Add($"[controller_worker] {key} must name a driver.");
            }
        }

        return ValidatedOptions.Result(failures);
    }
}

/// <summary>The <c>[health_manager]</c> keys, read by the receiver, the stale-amphora scanner and the agent.</summary>
public sealed class HealthManagerOptionsValidator : IValidateOptions<HealthManagerOptions>
{
    public ValidateOptionsResult Validate(string? name, HealthManagerOptions options)
    {
        var failures = new List<string>();
        if (options.BindIp.Length > 0 && !IPAddress.TryParse(options.BindIp, out _))
        {
            failures.Add($"[health_manager] bind_ip must be an IP address, not '{options.BindIp}'.");
        }

        if (options.BindPort is < 0 or > 65535)
        {
            // 0 asks the kernel for a free port (tests and single-host set-ups that read it back).
            failures.Add("[health_manager] bind_port must be between 0 and 65535.");
        }

        foreach (var entry in options.ControllerIpPortList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!IPEndPoint.TryParse(entry, out var endpoint) || endpoint.Port == 0)
            {
                failures.Add($"[health_manager] controller_ip_port_list entries must be ip:port, not '{entry}'.");
            }
        }

        if (options.HeartbeatInterval <= 0 || options.HeartbeatTimeout <= 0 || options.HealthCheckInterval <= 0)
        {
            failures.Add("[health_manager] heartbeat_interval, heartbeat_timeout and health_check_interval must be above 0.");
        }
        else if (options.HeartbeatTimeout <= options.HeartbeatInterval)
        {
            failures.Add("[health_manager] heartbeat_timeout must be longer than heartbeat_interval, or every amphora would be failed over between two heartbeats.");
        }

        if (options.FailoverThreads < 1 || options.FailoverThreshold is < 1)
        {
            failures.Add("[health_manager] failover_threads and failover_threshold (when set) must be at least 1.");
        }

        if (options.SockRlimit < 0)
        {
            failures.Add("[health_manager] sock_rlimit must not be negative.");
        }

        return ValidatedOptions.Result(failures);
    }
}

/// <summary>The <c>[haproxy_amphora]</c> timeouts and limits (milliseconds and connections; never negative).</summary>
public sealed class HaproxyAmphoraOptionsValidator : IValidateOptions<HaproxyAmphoraOptions>
{
    public ValidateOptionsResult Validate(string? name, HaproxyAmphoraOptions options)
    {
        var failures = new List<string>();
        if (options.TimeoutClientData < 0 || options.TimeoutMemberConnect < 0 || options.TimeoutMemberData < 0 || options.TimeoutTcpInspect < 0)
        {
            failures.Add("[haproxy_amphora] timeout_client_data, timeout_member_connect, timeout_member_data and timeout_tcp_inspect must not be negative.");
        }

        if (options.DefaultConnectionLimit < -1)
        {
            failures.Add("[haproxy_amphora] default_connection_limit must be -1 (unlimited) or more.");
        }

        return ValidatedOptions.Result(failures);
    }
}

/// <summary>The <c>[quotas]</c> defaults: -1 (unlimited) or more.</summary>
public sealed class QuotaOptionsValidator : IValidateOptions<QuotaOptions>
{
    public ValidateOptionsResult Validate(string? name, QuotaOptions options)
    {
        int[] values = [options.DefaultLoadBalancerQuota, options.DefaultListenerQuota, options.DefaultPoolQuota,
            options.DefaultHealthMonitorQuota, options.DefaultMemberQuota, options.DefaultL7PolicyQuota, options.DefaultL7RuleQuota];
        return values.Any(v => v < -1)
            ? ValidateOptionsResult.Fail("[quotas] every default_*_quota must be -1 (unlimited) or more.")
            : ValidateOptionsResult.Success;
    }
}

/// <summary>The <c>[networking]</c> keys the API checks.</summary>
public sealed class NetworkingOptionsValidator : IValidateOptions<NetworkingOptions>
{
    public ValidateOptionsResult Validate(string? name, NetworkingOptions options)
    {
        var bad = options.ReservedIps.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(a => !IPAddress.TryParse(a, out _)).ToList();
        return bad.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"[networking] reserved_ips must list IP addresses; not addresses: {string.Join(", ", bad)}.");
    }
}

/// <summary>The <c>[noop_drivers]</c> delay.</summary>
public sealed class NoopDriverOptionsValidator : IValidateOptions<NoopDriverOptions>
{
    public ValidateOptionsResult Validate(string? name, NoopDriverOptions options) =>
        options.Delay < 0 ? ValidateOptionsResult.Fail("[noop_drivers] delay must not be negative.") : ValidateOptionsResult.Success;
}
