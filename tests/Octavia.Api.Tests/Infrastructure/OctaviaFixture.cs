using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Npgsql;
using Octavia.Core.Configuration;
using Octavia.Db;
using Octavia.Hosting;

namespace Octavia.Api.Tests.Infrastructure;

/// <summary>
/// A real <c>octavia all</c> (API and worker, no-op drivers) on 127.0.0.1 with a private database:
/// a SQLite file in a temporary state directory, or a fresh PostgreSQL database on the server named by
/// <c>OCTAVIA_TEST_POSTGRES</c> (tests/run.sh starts one). Dropped when the fixture ends.
/// </summary>
public abstract class OctaviaFixture : IAsyncLifetime
{
    private WebApplication? _app;
    private WebApplication? _networkApi;
    private string? _postgresDatabase;

    protected OctaviaFixture()
    {
        StatePath = Path.Combine(Path.GetTempPath(), "octavia-test-" + Guid.NewGuid().ToString("N")[..12]);
    }

    public string StatePath { get; }

    /// <summary><c>enabled_provider_drivers</c> of the fixtures: upstream's default and the no-op provider.</summary>
    public const string ProvidersWithNoop =
        "amphora:The Octavia Amphora driver.,octavia:Deprecated alias of the Octavia Amphora driver.,noop_driver:The no-op provider driver.";

    /// <summary>The key this fixture's health manager verifies heartbeats with.</summary>
    public const string HeartbeatKey = "test-heartbeat-key";

    public HttpClient Client { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>A client of the Neutron-compatible networking API, for fixtures that run it (<see cref="WithNetworkApi"/>).</summary>
    public HttpClient NetworkClient => _networkClient ?? throw new InvalidOperationException("This fixture runs no network API.");

    private HttpClient? _networkClient;

    /// <summary>Where the networking API listens, for fixtures that run it (<see cref="WithNetworkApi"/>).</summary>
    public Uri NetworkBaseAddress => _networkClient?.BaseAddress ?? throw new InvalidOperationException("This fixture runs no network API.");

    /// <summary>Whether the fixture also runs <c>octavia network-api</c> (and the local driver's <c>network init</c>).</summary>
    protected virtual bool WithNetworkApi => false;

    /// <summary>The host's services, for tests that must plant rows the API cannot create (e.g. statistics).</summary>
    public IServiceProvider Services => _app!.Services;

    protected abstract bool UsePostgres { get; }

    /// <summary>
    /// <c>[api_settings] enabled_provider_drivers</c>, or null for the built-in default. Upstream's default lists
    /// amphora and octavia only; the tests use the no-op provider too.
    /// </summary>
    protected virtual string? EnabledProviders => ProvidersWithNoop;

    /// <summary>Extra octavia.conf settings for a fixture (keys as <c>section:key</c>).</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>Service replacements for a fixture (for example a driver that fails on purpose).</summary>
    protected virtual void OverrideServices(Microsoft.Extensions.DependencyInjection.IServiceCollection services)
    {
    }

    public async ValueTask InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["DEFAULT:state_path"] = StatePath,
            ["api_settings:bind_host"] = "127.0.0.1",
            ["api_settings:bind_port"] = "0",
            ["task_flow:job_poll_interval"] = "0.2",
            // The API's behaviour, not the data path: amphorae are rows only.
            ["controller_worker:compute_driver"] = "compute_noop_driver",
            ["controller_worker:network_driver"] = "network_noop_driver",
            ["controller_worker:amphora_driver"] = "amphora_noop_driver",
            // Each fixture receives heartbeats on a port of its own.
            ["health_manager:bind_ip"] = "127.0.0.1",
            ["health_manager:bind_port"] = "0",
            ["health_manager:heartbeat_key"] = HeartbeatKey,
            // Tests run purge passes themselves; a background pass between planting rows and the test's own
            // pass took the rows first (the test's pass then purged none).
            ["house_keeping:cleanup_interval"] = "86400",
            ["network_api:bind_host"] = "127.0.0.1",
            ["network_api:bind_port"] = "0",
        };
        if (EnabledProviders is { } providers)
        {
            settings["api_settings:enabled_provider_drivers"] = providers;
        }

        if (UsePostgres)
        {
            settings["database:connection"] = await CreatePostgresDatabaseAsync();
        }

        foreach (var (k, v) in Settings)
        {
            settings[k] = v;
        }

        var configuration = OctaviaConfiguration.Build(null, settings);
        _app = OctaviaHost.BuildWeb(configuration, OctaviaRoles.All, logging => logging.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Warning),
            OverrideServices);
        await _app.Services.MigrateOctaviaDbAsync(CancellationToken.None);
        await _app.StartAsync();
        BaseAddress = new Uri(OctaviaHost.ListenAddresses(_app)[0]);
        Client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (WithNetworkApi)
        {
            if (_app.Services.GetService(typeof(Octavia.Core.Drivers.INetworkDriver)) is Octavia.Drivers.Local.LocalNetworkDriver local)
            {
                await local.InitAsync(CancellationToken.None);
            }

            _networkApi = OctaviaHost.BuildNetworkApi(configuration, logging => logging.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Warning));
            await _networkApi.StartAsync();
            _networkClient = new HttpClient { BaseAddress = new Uri(OctaviaHost.ListenAddresses(_networkApi)[0]), Timeout = TimeSpan.FromSeconds(30) };
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        _networkClient?.Dispose();
        if (_networkApi is not null)
        {
            await _networkApi.StopAsync();
            await _networkApi.DisposeAsync();
        }

        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        if (_postgresDatabase is not null)
        {
            await using var connection = new NpgsqlConnection(PostgresAdminConnection());
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_postgresDatabase} WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }

        if (Directory.Exists(StatePath))
        {
            Directory.Delete(StatePath, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    private static string PostgresUrl() =>
        Environment.GetEnvironmentVariable("OCTAVIA_TEST_POSTGRES")
        ?? throw new InvalidOperationException("OCTAVIA_TEST_POSTGRES is not set: run the tests with tests/run.sh, which starts PostgreSQL.");

    private static string PostgresAdminConnection() => DatabaseTarget.Parse(PostgresUrl(), "/tmp").ConnectionString;

    private async Task<string> CreatePostgresDatabaseAsync()
    {
        _postgresDatabase = "octavia_test_" + Guid.NewGuid().ToString("N")[..12];
        await using var connection = new NpgsqlConnection(PostgresAdminConnection());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {_postgresDatabase}", connection);
        await command.ExecuteNonQueryAsync();
        var url = new Uri(PostgresUrl());
        return $"postgresql://{url.UserInfo}@{url.Host}:{url.Port}/{_postgresDatabase}";
    }
}

public sealed class SqliteFixture : OctaviaFixture
{
    protected override bool UsePostgres => false;
}

public sealed class PostgresFixture : OctaviaFixture
{
    protected override bool UsePostgres => true;
}

/// <summary>
/// The API with the <c>local</c> network driver's IPAM and the networking API beside it. The compute driver
/// stays no-op, so the driver only allocates addresses (on loopback ranges for the host-joined networks)
/// and makes no link on the host.
/// </summary>
public abstract class NetworkApiFixture : OctaviaFixture
{
    protected override bool WithNetworkApi => true;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["controller_worker:network_driver"] = "network_local_driver",
    };
}

public sealed class NetworkApiSqliteFixture : NetworkApiFixture
{
    protected override bool UsePostgres => false;
}

public sealed class NetworkApiPostgresFixture : NetworkApiFixture
{
    protected override bool UsePostgres => true;
}
