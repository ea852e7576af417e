using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Octavia.Core.Configuration;
using Octavia.Core.Jobs;
using Octavia.Db.Jobs;

namespace Octavia.Housekeeping;

public static class HousekeepingServiceCollectionExtensions
{
    /// <summary>Registers the housekeeping role: spare amphorae, purge of deleted rows, certificate rotation.</summary>
    public static IServiceCollection AddOctaviaHousekeeping(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HouseKeepingOptions>().Bind(configuration.GetSection(HouseKeepingOptions.SectionName))
            .Validate(o => o.SpareCheckInterval > 0 && o.CleanupInterval > 0 && o.CertInterval > 0,
                "[house_keeping] spare_check_interval, cleanup_interval and cert_interval must be above 0.")
            .Validate(o => o.SpareAmphoraPoolSize >= 0 && o.AmphoraExpiryAge >= 0 && o.LoadBalancerExpiryAge >= 0 && o.JobExpiryAge >= 0 && o.CertExpiryBuffer >= 0,
                "[house_keeping] spare_amphora_pool_size, amphora_expiry_age, load_balancer_expiry_age, job_expiry_age and cert_expiry_buffer must not be negative.")
            .Validate(o => o.CertRotateThreads >= 1, "[house_keeping] cert_rotate_threads must be at least 1.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);

        // Woken when a flow takes a spare (the worker registers the same signal when it runs in this process).
        services.TryAddKeyedSingleton<JobSignal>(JobKinds.AmphoraCreateSpare);
        AddLoop<SpareAmphoraPool>(services);
        AddLoop<DatabaseCleanup>(services);
        AddLoop<CertificateRotation>(services);
        return services;
    }

    /// <summary>A loop is a singleton as well as a hosted service, so that a test or a command can run one pass of it.</summary>
    private static void AddLoop<T>(IServiceCollection services)
        where T : HousekeepingLoop
    {
        services.TryAddSingleton<T>();
        services.AddHostedService(sp => sp.GetRequiredService<T>());
    }
}
