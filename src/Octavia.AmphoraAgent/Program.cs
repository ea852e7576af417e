using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Octavia.Amphora;
using Octavia.Core.Configuration;

// The amphora agent alone, compiled ahead of time: the same agent as `octavia amphora-agent`, started with
// the same arguments, so [local_compute] agent_command can name either.
var configFile = new Option<string?>("--config-file")
{
    Description = "Path to the agent's configuration (INI). Environment variables OCTAVIA__<SECTION>__<KEY> override it.",
    Recursive = true,
};
var root = new RootCommand("The Octavia amphora agent (agent API 1.0), natively compiled.");
root.Options.Add(configFile);
var agent = new Command("amphora-agent", "Run the amphora agent (the default; the word is accepted so that the command line matches `octavia amphora-agent`).");
root.Subcommands.Add(agent);

async Task<int> RunAsync(ParseResult result, CancellationToken cancellationToken)
{
    var file = result.GetValue(configFile);
    await using var app = AmphoraAgentHost.Build(OctaviaConfiguration.Build(file), configFile: file);
    await app.RunAsync(cancellationToken);
    return 0;
}

root.SetAction(RunAsync);
agent.SetAction(RunAsync);
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(10) });
