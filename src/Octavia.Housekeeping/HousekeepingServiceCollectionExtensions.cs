using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Octavia.Core.Configuration;

namespace Octavia.Housekeeping;

public static class HousekeepingServiceCollectionExtensions
{
    /// <summary>Registers the housekeeping role: spare amphorae, purge of deleted rows, certificate rotation.</summary>
    public static IServiceCollection AddOctaviaHousekeeping(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HouseKeepingOptions>().Bind(configuration.GetSection(HouseKeepingOptions.SectionName));
        return services;
    }
}
