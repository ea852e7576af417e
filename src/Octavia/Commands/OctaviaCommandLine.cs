using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Octavia.Core.Configuration;
using Octavia.Db;
using Octavia.Hosting;

namespace Octavia.Commands;

/// <summary>The <c>octavia</c> command line: one executable, one subcommand per role or operator task.</summary>
public static class OctaviaCommandLine
{
    public static async Task<int> RunAsync(string[] args)
    {
        var configFile = new Option<string?>("--config-file")
        {
            Description = "Path to octavia.conf (INI, upstream's sections and keys). Environment variables OCTAVIA__<SECTION>__<KEY> override it.",
            Recursive = true,
        };

        var root = new RootCommand("Octavia load-balancing-as-a-service, reimplemented in C#.");
        root.Options.Add(configFile);
        root.Options.Add(StateDirectory.CreateOption);

        var all = new Command("all",
            "Run every role in one process (API, network API, worker, health manager, housekeeping), migrating the database first.");
        all.SetAction((result, ct) => RunWebAsync(StateDirectory.Build(result, configFile), OctaviaRoles.All, migrate: true, ct));
        root.Subcommands.Add(all);

        var api = new Command("api", "Run the v2 REST API.");
        api.SetAction((result, ct) => RunWebAsync(StateDirectory.Build(result, configFile), OctaviaRoles.Api, migrate: false, ct));
        root.Subcommands.Add(api);

        var networkApi = new Command("network-api",
            "Run the Neutron-compatible networking API v2.0 (networks, subnets, ports of the local network driver) on [network_api] bind_host:bind_port.");
        networkApi.SetAction(async (result, ct) =>
        {
            await using var app = OctaviaHost.BuildNetworkApi(StateDirectory.Build(result, configFile));
            await app.RunAsync(ct);
            return 0;
        });
        root.Subcommands.Add(networkApi);

        foreach (var (name, role, description) in new[]
        {
            ("worker", OctaviaRoles.Worker, "Run the worker: claim jobs and run their flows."),
            ("health-manager", OctaviaRoles.HealthManager,
                "Run the health manager: receive heartbeats on [health_manager] bind_ip:bind_port, update statuses and statistics, fail over stale amphorae."),
            ("housekeeping", OctaviaRoles.Housekeeping,
                "Run housekeeping: keep the spare amphora pool filled, purge deleted rows, rotate amphora certificates."),
        })
        {
            var command = new Command(name, description);
            command.SetAction(async (result, ct) =>
            {
                using var host = OctaviaHost.BuildWorker(StateDirectory.Build(result, configFile), roles: role);
                await host.RunAsync(ct);
                return 0;
            });
            root.Subcommands.Add(command);
        }

        var db = new Command("db", "Database operations.");
        var upgrade = new Command("upgrade", "Apply every pending migration to the configured database (SQLite or PostgreSQL).");
        upgrade.SetAction(async (result, ct) =>
        {
            using var host = OctaviaHost.BuildTool(StateDirectory.Build(result, configFile));
            await host.Services.MigrateOctaviaDbAsync(ct);
            await Console.Out.WriteLineAsync("Database is up to date.");
            return 0;
        });
        db.Subcommands.Add(upgrade);
        root.Subcommands.Add(db);

        var agent = new Command("amphora-agent",
            "Run the amphora agent: HTTPS with mutual TLS on [haproxy_amphora] bind_host:bind_port (agent API 1.0).");
        agent.SetAction(async (result, ct) =>
        {
            await using var app = Amphora.AmphoraAgentHost.Build(OctaviaConfiguration.Build(result.GetValue(configFile)), configFile: result.GetValue(configFile));
            await app.RunAsync(ct);
            return 0;
        });
        root.Subcommands.Add(agent);

        var certs = new Command("certs", "Certificate authorities of the controller and the amphorae.");
        var certsInit = new Command("init",
            "Create the server CA, the client CA, the controller's client certificate and the heartbeat key under $state_path/certs; existing files are kept.");
        certsInit.SetAction(async (result, ct) =>
        {
            var configuration = StateDirectory.Build(result, configFile);
            var statePath = configuration.GetSection(Core.Configuration.DefaultOptions.SectionName).Get<Core.Configuration.DefaultOptions>()?.StatePath ?? "./var";
            var authority = new Drivers.Certificates.Local.LocalCertificateAuthority(Path.Combine(statePath, "certs"), TimeProvider.System);
            var written = authority.Initialize();
            await Console.Out.WriteLineAsync(written.Count == 0
                ? $"Certificates in {authority.Directory} are already in place."
                : $"Created in {authority.Directory}: {string.Join(", ", written)}.");
            return 0;
        });
        certs.Subcommands.Add(certsInit);
        root.Subcommands.Add(certs);

        root.Subcommands.Add(NetworkCommands.Build(configFile));
        root.Subcommands.Add(ServerCommands.Build(configFile));

        try
        {
            // Our own handler below prints a one-line reason instead of a stack trace.
            // SIGTERM cancels the action; System.CommandLine's default 2 s for it to finish was exceeded on a loaded
            // two-core CI machine (a backend server exited 143 instead of 0), so roles get 10 s to stop cleanly.
            return await root.Parse(args).InvokeAsync(new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = TimeSpan.FromSeconds(10),
            });
        }
        catch (Exception e) when (e is InvalidOperationException or FileNotFoundException or Microsoft.Extensions.Options.OptionsValidationException
            or Core.Drivers.NetworkDriverException)
        {
            await Console.Error.WriteLineAsync("octavia: " + e.Message);
            return 2;
        }
    }

    private static async Task<int> RunWebAsync(IConfigurationRoot configuration, OctaviaRoles roles, bool migrate, CancellationToken cancellationToken)
    {
        await using var app = OctaviaHost.BuildWeb(configuration, roles);
        await using var networkApi = roles.HasFlag(OctaviaRoles.NetworkApi) ? OctaviaHost.BuildNetworkApi(configuration) : null;
        if (migrate)
        {
            await app.Services.MigrateOctaviaDbAsync(cancellationToken);

            // The embedded default brings its networks up on first start (and again after a reboot). With another
            // network driver the default networks are still made, as rows only, so that the networking API
            // serves public-subnet and the rest in every mode (the local driver alone makes bridges).
            await app.Services.GetRequiredService<Drivers.Local.LocalNetworkDriver>().InitAsync(cancellationToken);

            // Created now, the certificate issuer has amphora keys ready before the first load balancer.
            app.Services.GetRequiredService<Core.Drivers.IAmphoraCertificateIssuer>();
        }

        if (networkApi is null)
        {
            await app.RunAsync(cancellationToken);
        }
        else
        {
            await Task.WhenAll(app.RunAsync(cancellationToken), networkApi.RunAsync(cancellationToken));
        }

        return 0;
    }
}
