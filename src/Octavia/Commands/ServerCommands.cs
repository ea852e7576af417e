using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Octavia.Core.Configuration;
using Octavia.Db;
using Octavia.Drivers.Local;
using Octavia.Hosting;

namespace Octavia.Commands;

/// <summary><c>octavia server start|list|stop</c>: backend servers in their own namespaces on a tenant subnet.</summary>
public static class ServerCommands
{
    public static Command Build(Option<string?> configFile)
    {
        var server = new Command("server", "Backend servers for a single-host cloud (the stand-in for tenant VMs).");

        var subnet = new Option<string>("--subnet") { Description = "Subnet name or id (see `octavia network list`).", Required = true };
        var address = new Option<string>("--address") { Description = "The server's address on that subnet.", Required = true };
        var port = new Option<int>("--port") { Description = "Port of the built-in HTTP server.", DefaultValueFactory = _ => 80 };
        var command = new Argument<string[]>("command") { Description = "Command to run instead of the built-in HTTP server (after --).", Arity = ArgumentArity.ZeroOrMore };
        var start = new Command("start", "Start a server at ADDRESS on SUBNET: COMMAND, or by default an HTTP server answering / with its address and port and /healthcheck with 200.")
        {
            subnet, address, port, command,
        };
        start.SetAction(async (result, ct) =>
        {
            var servers = await ServersAsync(StateDirectory.Build(result, configFile), ct);
            var started = await servers.StartAsync(result.GetValue(subnet)!, result.GetValue(address)!, result.GetValue(port), result.GetValue(command) ?? [], ct);
            await Console.Out.WriteLineAsync($"Started server {started.Address} on {started.SubnetName} (namespace {started.Namespace}, pid {started.Pid}).");
            return 0;
        });
        server.Subcommands.Add(start);

        var list = new Command("list", "List the servers.");
        list.SetAction(async (result, ct) =>
        {
            var servers = await ServersAsync(StateDirectory.Build(result, configFile), ct);
            var rows = new List<string[]> { new[] { "address", "subnet", "namespace", "pid", "state" } };
            rows.AddRange((await servers.ListAsync(ct)).Select(s => new[] { s.Address, s.SubnetName, s.Namespace, s.Pid?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-", s.Running ? "running" : "stopped" }));
            await Console.Out.WriteLineAsync(NetworkCommands.Table(rows));
            return 0;
        });
        server.Subcommands.Add(list);

        var which = new Argument<string?>("address") { Description = "Address of the server to stop.", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all") { Description = "Stop every server." };
        var stop = new Command("stop", "Stop a server (or --all): its processes, namespace and port go.") { which, all };
        stop.SetAction(async (result, ct) =>
        {
            var target = result.GetValue(which);
            if (target is null && !result.GetValue(all))
            {
                await Console.Error.WriteLineAsync("octavia: give an ADDRESS or --all.");
                return 2;
            }

            var servers = await ServersAsync(StateDirectory.Build(result, configFile), ct);
            var count = await servers.StopAsync(result.GetValue(all) ? null : target, ct);
            await Console.Out.WriteLineAsync($"Stopped {count} server(s).");
            return count == 0 && target is not null ? 1 : 0;
        });
        server.Subcommands.Add(stop);
        server.Subcommands.Add(ServerCommand.CreateServe());
        return server;
    }

    private static async Task<LocalServers> ServersAsync(Microsoft.Extensions.Configuration.IConfigurationRoot configuration, CancellationToken cancellationToken)
    {
        var host = OctaviaHost.BuildTool(configuration);
        await host.Services.MigrateOctaviaDbAsync(cancellationToken);
        await host.Services.GetRequiredService<LocalNetworkDriver>().InitAsync(cancellationToken);
        return host.Services.GetRequiredService<LocalServers>();
    }
}
