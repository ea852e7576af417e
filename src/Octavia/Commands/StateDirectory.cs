using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Octavia.Core.Configuration;

namespace Octavia.Commands;

/// <summary>
/// Where a command keeps its state (issue 19, point 4): the configuration every command builds, refused when
/// it would make a new state directory (a database, certificates, and with it new host networks) in a place
/// nobody configured: no <c>state_path</c> in the file or the environment, and no <c>./var</c> in the
/// current directory. <c>--create-state</c> asks for it.
/// </summary>
public static class StateDirectory
{
    public static readonly Option<bool> CreateOption = new("--create-state")
    {
        Description = "Create a new state directory where none is configured (./var in the current directory) instead of stopping.",
        Recursive = true,
    };

    /// <summary>The configuration of <paramref name="configFile"/>, once its state directory is known to be the intended one.</summary>
    public static IConfigurationRoot Build(ParseResult result, Option<string?> configFile) =>
        Check(OctaviaConfiguration.Build(result.GetValue(configFile)), result.GetValue(CreateOption));

    /// <summary>Throws (a one-line reason, exit code 2) when the state directory would be made where nothing configured it.</summary>
    public static IConfigurationRoot Check(IConfigurationRoot configuration, bool create)
    {
        var configured = configuration[OctaviaConfiguration.StatePathKey];
        var state = Path.GetFullPath(string.IsNullOrEmpty(configured) ? new DefaultOptions().StatePath : configured);
        if (create || !string.IsNullOrEmpty(configured) || Directory.Exists(state))
        {
            return configuration;
        }

        throw new InvalidOperationException(
            $"No state directory at {state}: no state_path is configured, so it would be made in the current directory, with new host networks. "
            + "Run from the directory that holds var/, pass --config-file (etc/octavia.conf), or add --create-state to start a new one here.");
    }
}
