using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Octavia.Http.Keystone;
using Octavia.NetworkApi.Endpoints;

namespace Octavia.NetworkApi;

public static class NetworkApiServiceCollectionExtensions
{
    /// <summary>Registers what the networking API needs besides the database and the drivers (which bring the IPAM).</summary>
    public static IServiceCollection AddOctaviaNetworkApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<NetworkApiOptions>().Bind(configuration.GetSection(NetworkApiOptions.SectionName));
        // The same auth_strategy as the load-balancer API, with the same token checks; under noauth its project rules
        // (a caller's X-Project-Id, the default project).
        services.AddKeystoneAuth(configuration);
        services.AddRouting();
        return services;
    }

    /// <summary>Adds Neutron's HTTP conventions and every endpoint of the networking API v2.0.</summary>
    public static void UseOctaviaNetworkApi(this WebApplication app)
    {
        app.UseMiddleware<NeutronMiddleware>();
        // Inside Neutron's error handling, so that Keystone being unreachable is a NeutronError 503.
        app.UseKeystoneAuth();
        app.UseRouting();
        VersionEndpoints.Map(app);
        NetworkEndpoints.Map(app);
        SubnetEndpoints.Map(app);
        PortEndpoints.Map(app);
        FloatingIpEndpoints.Map(app);
    }
}
