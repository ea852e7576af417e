using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Octavia.Core.Configuration;
using Octavia.Core.Drivers;
using Octavia.Drivers.Noop;

namespace Octavia.Drivers.Hosting;

public static class OctaviaDriversServiceCollectionExtensions
{
    /// <summary>
    /// Registers every driver under the name operators write in octavia.conf (keyed services) and the
    /// configured one of each family as the default; an unknown name stops start-up with a clear message.
    /// </summary>
    public static IServiceCollection AddOctaviaDrivers(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<NoopDriverOptions>().Bind(configuration.GetSection(NoopDriverOptions.SectionName));
        var options = configuration.GetSection(ControllerWorkerOptions.SectionName).Get<ControllerWorkerOptions>() ?? new ControllerWorkerOptions();
        services.AddKeyedSingleton<INetworkDriver, NoopNetworkDriver>(NoopNetworkDriver.DriverName);
        services.AddKeyedSingleton<IComputeDriver, NoopComputeDriver>(NoopComputeDriver.DriverName);
        services.AddKeyedSingleton<IAmphoraDriver, NoopAmphoraDriver>(NoopAmphoraDriver.DriverName);

        Select<INetworkDriver>(services, "network_driver", options.NetworkDriver, [NoopNetworkDriver.DriverName]);
        Select<IComputeDriver>(services, "compute_driver", options.ComputeDriver, [NoopComputeDriver.DriverName]);
        Select<IAmphoraDriver>(services, "amphora_driver", options.AmphoraDriver, [NoopAmphoraDriver.DriverName]);
        return services;
    }

    private static void Select<T>(IServiceCollection services, string key, string name, string[] known)
        where T : class
    {
        if (!known.Contains(name))
        {
            throw new InvalidOperationException(
                $"[controller_worker] {key} = {name} is not a known driver; choose one of: {string.Join(", ", known)}.");
        }

        services.AddSingleton(sp => sp.GetRequiredKeyedService<T>(name));
    }
}
