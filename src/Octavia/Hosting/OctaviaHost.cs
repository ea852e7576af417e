using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Octavia.Api.Hosting;
using Octavia.Controller.Worker;
using Octavia.Core.Configuration;
using Octavia.Db;
using Octavia.Drivers.Hosting;
using Octavia.Health;
using Octavia.Housekeeping;
using Octavia.NetworkApi;

namespace Octavia.Hosting;

/// <summary>Which roles one process runs.</summary>
[Flags]
public enum OctaviaRoles
{
    Api = 1,
    Worker = 2,
    HealthManager = 4,
    Housekeeping = 8,

    /// <summary>The Neutron-compatible networking API, a web host of its own on <c>[network_api]</c>.</summary>
    NetworkApi = 16,
    All = Api | Worker | HealthManager | Housekeeping | NetworkApi,
}

/// <summary>Composes the roles of the <c>octavia</c> executable into one host.</summary>
public static class OctaviaHost
{
    /// <summary>
    /// Builds the web host for roles that include the API: it listens on <c>[api_settings]
    /// bind_host:bind_port</c> (port 0 picks a free one; see <see cref="ListenAddresses"/>).
    /// </summary>
    /// <param name="overrides">Last-word service registrations (tests replace a driver with a faulty one).</param>
    public static WebApplication BuildWeb(IConfigurationRoot configuration, OctaviaRoles roles, Action<ILoggingBuilder>? logging = null,
        Action<IServiceCollection>? overrides = null)
    {
        var builder = CreateWebBuilder(configuration, logging);
        ConfigureServices(builder.Services, configuration, roles);
        overrides?.Invoke(builder.Services);

        var api = configuration.GetSection(ApiSettingsOptions.SectionName).Get<ApiSettingsOptions>() ?? new ApiSettingsOptions();
        Listen(builder, api.BindHost, api.BindPort);
        var app = builder.Build();
        app.UseOctaviaApi();
        return app;
    }

    /// <summary>
    /// Builds the web host of the Neutron-compatible networking API on <c>[network_api] bind_host:bind_port</c>:
    /// the database, the drivers (the IPAM, and the local driver to unplug a deleted port) and nothing else.
    /// </summary>
    public static WebApplication BuildNetworkApi(IConfigurationRoot configuration, Action<ILoggingBuilder>? logging = null)
    {
        var builder = CreateWebBuilder(configuration, logging);
        AddDatabaseAndDrivers(builder.Services, configuration);
        builder.Services.AddOctaviaNetworkApi(configuration);

        var network = configuration.GetSection(NetworkApiOptions.SectionName).Get<NetworkApiOptions>() ?? new NetworkApiOptions();
        Listen(builder, network.BindHost, network.BindPort);
        var app = builder.Build();
        app.UseOctaviaNetworkApi();
        return app;
    }

    private static WebApplicationBuilder CreateWebBuilder(IConfigurationRoot configuration, Action<ILoggingBuilder>? logging)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddConfiguration(configuration);
        ConfigureLogging(builder.Logging, logging);
        return builder;
    }

    private static void Listen(WebApplicationBuilder builder, string host, int port) =>
        builder.WebHost.ConfigureKestrel(k =>
        {
            // Idle kept-alive connections stay usable: closing them silently makes clients fail on reuse.
            k.Limits.KeepAliveTimeout = TimeSpan.FromDays(1);
            k.Limits.MaxRequestBodySize = ApiRequest.MaxDrainBytes;
            k.AddServerHeader = false;
            k.Listen(System.Net.IPAddress.Parse(host == "localhost" ? "127.0.0.1" : host), port, o => o.Protocols = HttpProtocols.Http1);
        });

    /// <summary>Builds a host without a web server, for roles other than the API (worker, health manager, housekeeping).</summary>
    public static IHost BuildWorker(IConfigurationRoot configuration, Action<ILoggingBuilder>? logging = null, OctaviaRoles roles = OctaviaRoles.Worker)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddConfiguration(configuration);
        ConfigureLogging(builder.Logging, logging);
        ConfigureServices(builder.Services, configuration, roles);
        return builder.Build();
    }

    /// <summary>Builds a host that reaches the database and the drivers, for operator commands (<c>db upgrade</c>, <c>network</c>, <c>server</c>).</summary>
    public static IHost BuildTool(IConfigurationRoot configuration)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddConfiguration(configuration);
        ConfigureLogging(builder.Logging, null);
        AddDatabaseAndDrivers(builder.Services, configuration);
        return builder.Build();
    }

    /// <summary>What every role and tool needs: the state path, the clock, the database and the drivers.</summary>
    private static void AddDatabaseAndDrivers(IServiceCollection services, IConfigurationRoot configuration)
    {
        services.AddOptions<DefaultOptions>().Bind(configuration.GetSection(DefaultOptions.SectionName));
        services.AddSingleton(TimeProvider.System);
        services.AddOctaviaDb(configuration);
        services.AddOctaviaDrivers(configuration);
    }

    private static void ConfigureLogging(ILoggingBuilder logging, Action<ILoggingBuilder>? extra)
    {
        logging.ClearProviders();
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
        });
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddFilter("System", LogLevel.Warning);
        // EF logs every failed command as an error, including the expected miss on a fresh database's
        // migrations table; real failures surface as exceptions in our own handlers and logs.
        logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.None);
        extra?.Invoke(logging);
    }

    private static void ConfigureServices(IServiceCollection services, IConfigurationRoot configuration, OctaviaRoles roles)
    {
        AddDatabaseAndDrivers(services, configuration);
        if (roles.HasFlag(OctaviaRoles.Api))
        {
            services.AddOctaviaApi(configuration);
        }

        if (roles.HasFlag(OctaviaRoles.Worker))
        {
            services.AddOctaviaWorker(configuration);
        }

        if (roles.HasFlag(OctaviaRoles.HealthManager))
        {
            services.AddOctaviaHealthManager(configuration);
        }

        if (roles.HasFlag(OctaviaRoles.Housekeeping))
        {
            services.AddOctaviaHousekeeping(configuration);
        }
    }

    /// <summary>The addresses the API really listens on (after port 0 was resolved).</summary>
    public static IReadOnlyList<string> ListenAddresses(WebApplication app) =>
        app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses.ToList() ?? [];
}
