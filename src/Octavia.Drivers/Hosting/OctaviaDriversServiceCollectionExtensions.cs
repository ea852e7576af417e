using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Octavia.Core.Configuration;
using Octavia.Core.Drivers;
using Octavia.Core.Health;
using Octavia.Drivers.Amphora.Rest;
using Octavia.Drivers.Certificates.Local;
using Octavia.Drivers.Local;
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
        services.AddValidatedOptions<NoopDriverOptions, NoopDriverOptionsValidator>(configuration, NoopDriverOptions.SectionName);
        services.AddOptions<DefaultOptions>().Bind(configuration.GetSection(DefaultOptions.SectionName));
        services.AddValidatedOptions<ControllerWorkerOptions, ControllerWorkerOptionsValidator>(configuration, ControllerWorkerOptions.SectionName);
        services.AddValidatedOptions<HaproxyAmphoraOptions, HaproxyAmphoraOptionsValidator>(configuration, HaproxyAmphoraOptions.SectionName);
        services.AddOptions<LocalNetworkOptions>().Bind(configuration.GetSection(LocalNetworkOptions.SectionName));
        services.AddOptions<LocalComputeOptions>().Bind(configuration.GetSection(LocalComputeOptions.SectionName));
        // The local compute drivers tell each agent where the heartbeat receiver is and the key it checks.
        services.AddValidatedOptions<HealthManagerOptions, HealthManagerOptionsValidator>(configuration, HealthManagerOptions.SectionName);
        services.AddOptions<RestAmphoraOptions>().Bind(configuration.GetSection(RestAmphoraOptions.SectionName));
        services.AddOptions<CertificateOptions>().Bind(configuration.GetSection(CertificateOptions.SectionName));
        var options = configuration.GetSection(ControllerWorkerOptions.SectionName).Get<ControllerWorkerOptions>() ?? new ControllerWorkerOptions();
        var statePath = configuration.GetSection(DefaultOptions.SectionName).Get<DefaultOptions>()?.StatePath ?? "./var";

        services.AddSingleton(sp => new LocalCertificateAuthority(Path.Combine(statePath, "certs"), sp.GetRequiredService<TimeProvider>()));
        // What the health manager needs from here, through Core's interfaces: the stored heartbeat key and, with the
        // local network driver, the host's lb-mgmt-net address to listen on.
        services.AddSingleton<IHeartbeatKeySource, LocalHeartbeatKeySource>();
        if (options.NetworkDriver == LocalNetworkDriver.DriverName)
        {
            services.AddSingleton<IManagementNetworkAddress, LocalManagementNetworkAddress>();
        }

        services.AddSingleton<LocalIpam>();
        services.AddSingleton<LocalNetworkDriver>();
        services.AddSingleton<LocalServers>();
        services.AddKeyedSingleton<INetworkDriver, NoopNetworkDriver>(NoopNetworkDriver.DriverName);
        services.AddKeyedSingleton<INetworkDriver>(LocalNetworkDriver.DriverName, (sp, _) => sp.GetRequiredService<LocalNetworkDriver>());
        services.AddKeyedSingleton<IComputeDriver, NoopComputeDriver>(NoopComputeDriver.DriverName);
        services.AddKeyedSingleton<IComputeDriver, NetnsComputeDriver>(NetnsComputeDriver.DriverName);
        services.AddKeyedSingleton<IComputeDriver, ProcessComputeDriver>(ProcessComputeDriver.DriverName);
        services.AddKeyedSingleton<IAmphoraDriver, NoopAmphoraDriver>(NoopAmphoraDriver.DriverName);
        services.AddKeyedSingleton<IAmphoraDriver, RestAmphoraDriver>(RestAmphoraDriver.DriverName);

        Select<INetworkDriver>(services, "network_driver", options.NetworkDriver, [NoopNetworkDriver.DriverName, LocalNetworkDriver.DriverName]);
        Select<IComputeDriver>(services, "compute_driver", options.ComputeDriver,
            [NoopComputeDriver.DriverName, NetnsComputeDriver.DriverName, ProcessComputeDriver.DriverName]);
        Select<IAmphoraDriver>(services, "amphora_driver", options.AmphoraDriver, [NoopAmphoraDriver.DriverName, RestAmphoraDriver.DriverName]);
        if (options.ComputeDriver is NetnsComputeDriver.DriverName or ProcessComputeDriver.DriverName && options.NetworkDriver != LocalNetworkDriver.DriverName)
        {
            throw new InvalidOperationException(
                $"[controller_worker] compute_driver = {options.ComputeDriver} needs network_driver = {LocalNetworkDriver.DriverName} (it gives amphorae their addresses).");
        }

        if (options.ComputeDriver == NoopComputeDriver.DriverName)
        {
            services.AddSingleton<IAmphoraCertificateIssuer, NoopAmphoraCertificateIssuer>();
        }
        else
        {
            services.AddSingleton<IAmphoraCertificateIssuer, LocalAmphoraCertificateIssuer>();
        }

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
