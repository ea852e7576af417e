using Octavia.Api.Faults;
using Octavia.Core.Configuration;

namespace Octavia.Api.Hosting;

/// <summary>The enabled provider drivers (<c>[api_settings] enabled_provider_drivers</c>).</summary>
public static class Providers
{
    public const string Amphora = "amphora";
    public const string Octavia = "octavia";
    public const string Noop = "noop_driver";

    public static IReadOnlyList<(string Name, string Description)> Enabled(ApiSettingsOptions settings) =>
        ApiSettingsOptions.SplitList(settings.EnabledProviderDrivers)
            .Select(entry => entry.Split(':', 2))
            .Select(parts => (parts[0].Trim(), parts.Length == 2 ? parts[1].Trim() : ""))
            .ToList();

    /// <summary>Checks a requested provider (or takes the default) and returns its stored name.</summary>
    public static string Resolve(ApiSettingsOptions settings, string? requested)
    {
        var name = requested ?? settings.DefaultProviderDriver;
        if (!Enabled(settings).Any(p => p.Name == name))
        {
            throw ApiException.BadRequest($"Provider '{name}' is not enabled.");
        }

        return name;
    }

    /// <summary>Whether the amphora provider's extra rules apply (reference/controller.md §1).</summary>
    public static bool IsAmphora(string provider) => provider is Amphora or Octavia;
}
