using Microsoft.Extensions.Configuration;
using Octavia.Core.Configuration;
using Octavia.Hosting;

namespace Octavia.Api.Tests.Configuration;

/// <summary>octavia.conf (INI, upstream's names) overridden by OCTAVIA__SECTION__KEY variables; unknown drivers stop start-up.</summary>
public sealed class ConfigurationTests
{
    [Fact]
    public void Build_IniThenEnvironment_EnvironmentWins()
    {
        var file = Path.Combine(Path.GetTempPath(), "octavia-conf-" + Guid.NewGuid().ToString("N")[..8] + ".conf");
        File.WriteAllText(file, "[DEFAULT]\nstate_path = /tmp/x\n\n[api_settings]\nbind_port = 9999\npagination_max_limit = 50\n");
        try
        {
            Environment.SetEnvironmentVariable("OCTAVIA__API_SETTINGS__BIND_PORT", "9877");
            var configuration = OctaviaConfiguration.Build(file);
            var api = configuration.GetSection(ApiSettingsOptions.SectionName).Get<ApiSettingsOptions>()!;
            Assert.Equal(9877, api.BindPort);
            Assert.Equal("50", api.PaginationMaxLimit);
            Assert.Equal("/tmp/x", configuration.GetSection(DefaultOptions.SectionName).Get<DefaultOptions>()!.StatePath);
        }
        finally
        {
            Environment.SetEnvironmentVariable("OCTAVIA__API_SETTINGS__BIND_PORT", null);
            File.Delete(file);
        }
    }

    [Fact]
    public void Build_MissingFile_SaysWhich()
    {
        var e = Assert.Throws<FileNotFoundException>(() => OctaviaConfiguration.Build("/nonexistent/octavia.conf"));
        Assert.Contains("/nonexistent/octavia.conf", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("compute_driver", "compute_nova_driver")]
    [InlineData("network_driver", "allowed_address_pairs_driver")]
    [InlineData("amphora_driver", "bogus")]
    public void BuildWeb_UnknownDriver_StopsWithClearMessage(string key, string value)
    {
        var configuration = OctaviaConfiguration.Build(null, new Dictionary<string, string?>
        {
            ["DEFAULT:state_path"] = Path.GetTempPath(),
            ["api_settings:bind_port"] = "0",
            [$"controller_worker:{key}"] = value,
        });
        var e = Assert.Throws<InvalidOperationException>(() => OctaviaHost.BuildWeb(configuration, OctaviaRoles.All));
        Assert.Contains($"[controller_worker] {key} = {value} is not a known driver", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("testing", null, "[api_settings] auth_strategy must be noauth or keystone.")]
    [InlineData("keystone", null, "[keystone_authtoken] auth_url must be the http(s) URL of Keystone (with or without /v3).")]
    [InlineData("keystone", "keystone.example.org:5000", "[keystone_authtoken] auth_url must be the http(s) URL of Keystone (with or without /v3).")]
    public async Task StartWeb_BadAuthSettings_StopsWithClearMessage(string strategy, string? authUrl, string message)
    {
        var configuration = OctaviaConfiguration.Build(null, new Dictionary<string, string?>
        {
            ["DEFAULT:state_path"] = Path.GetTempPath(),
            ["api_settings:bind_port"] = "0",
            ["api_settings:auth_strategy"] = strategy,
            ["keystone_authtoken:auth_url"] = authUrl,
            ["keystone_authtoken:username"] = "octavia",
        });
        var e = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(async () =>
        {
            await using var app = OctaviaHost.BuildWeb(configuration, OctaviaRoles.Api);
            await app.StartAsync(TestContext.Current.CancellationToken);
        });
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("quotas:default_member_quota", "-2", "[quotas] every default_*_quota must be -1 (unlimited) or more.")]
    [InlineData("networking:reserved_ips", "169.254.169.254,metadata", "[networking] reserved_ips must list IP addresses; not addresses: metadata.")]
    public async Task StartWeb_BadApiSettings_StopsWithClearMessage(string key, string value, string message)
    {
        var configuration = OctaviaConfiguration.Build(null, new Dictionary<string, string?>
        {
            ["DEFAULT:state_path"] = Path.GetTempPath(),
            ["api_settings:bind_port"] = "0",
            [key] = value,
        });
        var e = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(async () =>
        {
            await using var app = OctaviaHost.BuildWeb(configuration, OctaviaRoles.Api);
            await app.StartAsync(TestContext.Current.CancellationToken);
        });
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartWeb_InvalidPolicyFile_StopsNamingFileAndLine()
    {
        var file = Path.Combine(Path.GetTempPath(), "octavia-policy-" + Guid.NewGuid().ToString("N")[..8] + ".yaml");
        File.WriteAllText(file, "\"os_load-balancer_api:loadbalancer:get_all\": \"role:reader or\"\n");
        try
        {
            var configuration = OctaviaConfiguration.Build(null, new Dictionary<string, string?>
            {
                ["DEFAULT:state_path"] = Path.GetTempPath(),
                ["api_settings:bind_port"] = "0",
                ["api_settings:auth_strategy"] = "keystone",
                ["keystone_authtoken:auth_url"] = "http://127.0.0.1:1/v3",
                ["keystone_authtoken:username"] = "octavia",
                ["oslo_policy:policy_file"] = file,
            });
            var e = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(async () =>
            {
                await using var app = OctaviaHost.BuildWeb(configuration, OctaviaRoles.Api);
                await app.StartAsync(TestContext.Current.CancellationToken);
            });
            Assert.Contains($"[oslo_policy] policy_file: {file}: rule \"os_load-balancer_api:loadbalancer:get_all\"", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("task_flow:job_max_attempts", "0", "[task_flow] max_workers, job_max_attempts and task_max_attempts must be at least 1.")]
    [InlineData("task_flow:job_lease_seconds", "0", "[task_flow] job_lease_seconds and job_poll_interval must be above 0")]
    [InlineData("house_keeping:job_expiry_age", "-1", "job_expiry_age and cert_expiry_buffer must not be negative.")]
    [InlineData("controller_worker:loadbalancer_topology", "ACTIVE_ACTIVE", "[controller_worker] loadbalancer_topology must be SINGLE or ACTIVE_STANDBY, not 'ACTIVE_ACTIVE'.")]
    [InlineData("health_manager:bind_port", "70000", "[health_manager] bind_port must be between 0 and 65535.")]
    [InlineData("health_manager:bind_ip", "localhost", "[health_manager] bind_ip must be an IP address, not 'localhost'.")]
    [InlineData("health_manager:heartbeat_timeout", "5", "[health_manager] heartbeat_timeout must be longer than heartbeat_interval")]
    [InlineData("health_manager:controller_ip_port_list", "198.51.100.1", "[health_manager] controller_ip_port_list entries must be ip:port, not '198.51.100.1'.")]
    [InlineData("haproxy_amphora:timeout_client_data", "-5", "[haproxy_amphora] timeout_client_data, timeout_member_connect, timeout_member_data and timeout_tcp_inspect must not be negative.")]
    [InlineData("noop_drivers:delay", "-1", "[noop_drivers] delay must not be negative.")]
    public async Task StartWorker_BadJobSettings_StopsWithClearMessage(string key, string value, string message)
    {
        var configuration = OctaviaConfiguration.Build(null, new Dictionary<string, string?>
        {
            ["DEFAULT:state_path"] = Path.GetTempPath(),
            [key] = value,
        });
        var e = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(async () =>
        {
            using var host = OctaviaHost.BuildWorker(configuration, roles: OctaviaRoles.Worker | OctaviaRoles.Housekeeping);
            await host.StartAsync(TestContext.Current.CancellationToken);
        });
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
