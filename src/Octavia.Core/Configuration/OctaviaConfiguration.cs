using Microsoft.Extensions.Configuration;

namespace Octavia.Core.Configuration;

/// <summary>
/// Builds the configuration every subcommand uses: the <c>octavia.conf</c> INI file (upstream's section
/// and key names), then environment variables <c>OCTAVIA__&lt;SECTION&gt;__&lt;KEY&gt;</c>, then in-memory
/// overrides (tests). A relative <c>state_path</c> written in the file is resolved against the file's directory
/// (one given in the environment, against the current directory).
/// </summary>
public static class OctaviaConfiguration
{
    public const string EnvironmentPrefix = "OCTAVIA__";

    /// <summary>The configuration key of <c>[DEFAULT] state_path</c>.</summary>
    public const string StatePathKey = "DEFAULT:state_path";

    public static IConfigurationRoot Build(string? configFile, IDictionary<string, string?>? overrides = null)
    {
        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            if (!File.Exists(configFile))
            {
                throw new FileNotFoundException($"Configuration file {configFile} does not exist.", configFile);
            }

            var file = Path.GetFullPath(configFile);
            builder.AddIniFile(file, optional: false, reloadOnChange: false);

            // A relative state_path in the file means beside the file, wherever the command runs from.
            var statePath = new ConfigurationBuilder().AddIniFile(file, optional: false, reloadOnChange: false).Build()[StatePathKey];
            if (!string.IsNullOrEmpty(statePath) && !Path.IsPathRooted(statePath))
            {
                builder.AddInMemoryCollection([new(StatePathKey, Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, statePath)))]);
            }
        }

        builder.AddEnvironmentVariables(EnvironmentPrefix);
        if (overrides is not null)
        {
            builder.AddInMemoryCollection(overrides);
        }

        return builder.Build();
    }
}
