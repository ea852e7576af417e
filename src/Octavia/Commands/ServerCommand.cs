using System.CommandLine;
using System.Net;
using System.Runtime.InteropServices;
using Octavia.Servers;

namespace Octavia.Commands;

/// <summary>
/// <c>octavia server serve</c>: the built-in
/// backend itself (hidden: <c>server start</c> runs it inside a namespace); it builds no host, so it loads
/// neither the database nor the API.
/// </summary>
public static class ServerCommand
{
    public static Command CreateServe()
    {
        var address = new Option<IPAddress>("--address")
        {
            Description = "Address to listen on.",
            Required = true,
            CustomParser = result => IPAddress.TryParse(result.Tokens.Single().Value, out var ip)
                ? ip
                : Invalid<IPAddress>(result, $"'{result.Tokens.Single().Value}' is not an IP address."),
        };
        var port = new Option<int>("--port")
        {
            Description = "Port to listen on (0 picks a free one).",
            DefaultValueFactory = _ => 80,
        };
        port.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 0 or > 65535)
            {
                result.AddError("--port must be between 0 and 65535.");
            }
        });
        var protocol = new Option<string>("--protocol")
        {
            Description = "http: answers GET / with its name; tcp: writes its name, then echoes.",
            DefaultValueFactory = _ => "http",
        };
        protocol.AcceptOnlyFromAmong("http", "tcp");
        var name = new Option<string?>("--name")
        {
            Description = "What the server answers on / (default address:port).",
        };

        var serve = new Command("serve", "Run the built-in backend server in the foreground until SIGTERM or SIGINT.")
        {
            Hidden = true,
        };
        serve.Options.Add(address);
        serve.Options.Add(port);
        serve.Options.Add(protocol);
        serve.Options.Add(name);
        serve.SetAction(async (result, ct) =>
        {
            var settings = new BackendServerSettings(result.GetRequiredValue(address), result.GetValue(port),
                result.GetValue(protocol) == "tcp" ? BackendServerProtocol.Tcp : BackendServerProtocol.Http, result.GetValue(name));
            // SIGTERM and SIGINT end the server at once with 0, from the signal-handling thread itself.
            // System.CommandLine's own handler cancels the action's token and then blocks that thread until
            // the action returns, answering 143 after ProcessTerminationTimeout. The action's return needs a
            // thread-pool work item (a cancelled socket accept is completed through the pool), and on a loaded
            // two-core machine that item was seen not to run for the whole 10 s (pool=2, pending=1,
            // completed=0), so about one test class run in six got 143. A backend has nothing to flush or save:
            // open connections are simply closed by the exit. Registered after System.CommandLine's handler,
            // ours runs first and cancels the default, so theirs never runs.
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ExitOnSignal);
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, ExitOnSignal);
            try
            {
                await BackendServer.RunAsync(settings, Console.Out, ct);
                return 0;
            }
            catch (System.Net.Sockets.SocketException e)
            {
                await Console.Error.WriteLineAsync($"octavia: cannot listen on {settings.Address}:{settings.Port}: {e.Message}");
                return 1;
            }
        });
        return serve;
    }

    private static void ExitOnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        Console.Out.Flush();
        Environment.Exit(0);
    }

    private static T Invalid<T>(System.CommandLine.Parsing.ArgumentResult result, string message)
    {
        result.AddError(message);
        return default!;
    }
}
