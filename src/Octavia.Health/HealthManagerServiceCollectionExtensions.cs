using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Octavia.Core.Configuration;

namespace Octavia.Health;

public static class HealthManagerServiceCollectionExtensions
{
    /// <summary>Registers the health-manager role: the heartbeat receiver and processor, and the stale-amphora scan.</summary>
    public static IServiceCollection AddOctaviaHealthManager(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<HealthManagerOptions, HealthManagerOptionsValidator>(configuration, HealthManagerOptions.SectionName);
        services.AddOptions<DefaultOptions>().Bind(configuration.GetSection(DefaultOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<HeartbeatMetrics>();
        services.AddSingleton<HeartbeatProcessor>();
        services.AddSingleton<HeartbeatReceiver>();
        services.AddHostedService(s => s.GetRequiredService<HeartbeatReceiver>());
        services.AddSingleton<StaleAmphoraScanner>();
        services.AddHostedService(s => s.GetRequiredService<StaleAmphoraScanner>());
        return services;
    }
}
