using Microsoft.Extensions.Configuration;

namespace Octavia.Core.Configuration;

/// <summary>
/// Builds the configuration every subcommand uses: the <c>octavia.conf</c> INI file (upstream's section
/// and key names), then environment variables <c>OCTAVIA__&lt;SECTION&gt;__&lt;KEY&gt;</c>, then in-memory
/// overrides (tests).
/// </summary>
public static class OctaviaConfiguration
{
    public const string EnvironmentPrefix = "OCTAVIA__";

    public static IConfigurationRoot Build(string? configFile, IDictionary<string, string?>? overrides = null)
    {
        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            if (!File.Exists(configFile))
            {
                throw new FileNotFoundException($"Configuration file {configFile} does not exist.", configFile);
            }

            builder.AddIniFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
        }

        builder.AddEnvironmentVariables(EnvironmentPrefix);
        if (overrides is not null)
        {
            builder.AddInMemoryCollection(overrides);
        }

        return builder.Build();
    }
}
