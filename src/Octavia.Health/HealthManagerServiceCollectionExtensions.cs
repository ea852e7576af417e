using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Octavia.Core.Configuration;

namespace Octavia.Health;

public static class HealthManagerServiceCollectionExtensions
{
    /// <summary>Registers the health-manager role: the heartbeat receiver and the stale-amphora scan.</summary>
    public static IServiceCollection AddOctaviaHealthManager(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HealthManagerOptions>().Bind(configuration.GetSection(HealthManagerOptions.SectionName));
        return services;
    }
}
