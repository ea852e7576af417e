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
    [InlineData("keystone", null, "[keystone_authtoken] auth_url must be the http(s) URL of Keystone's v3 API.")]
    [InlineData("keystone", "keystone.example.org:5000", "[keystone_authtoken] auth_url must be the http(s) URL of Keystone's v3 API.")]
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
