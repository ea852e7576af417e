using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Octavia.Api.Auth;
using Octavia.Api.Endpoints;
using Octavia.Api.Faults;
using Octavia.Core.Configuration;

namespace Octavia.Api.Hosting;

public static class OctaviaApiServiceCollectionExtensions
{
    /// <summary>Registers what the v2 API needs besides the database and the drivers.</summary>
    public static IServiceCollection AddOctaviaApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOctaviaAuth(configuration);
        services.AddValidatedOptions<QuotaOptions, QuotaOptionsValidator>(configuration, QuotaOptions.SectionName);
        services.AddValidatedOptions<HaproxyAmphoraOptions, HaproxyAmphoraOptionsValidator>(configuration, HaproxyAmphoraOptions.SectionName);
        services.AddValidatedOptions<NetworkingOptions, NetworkingOptionsValidator>(configuration, NetworkingOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.AddScoped<WriteScope>();
        services.AddSingleton(sp => new ResponseCache(
            sp.GetRequiredService<Octavia.Db.DatabaseTarget>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<ApiSettingsOptions>>().Value.ResponseCacheEntries));
        services.AddRouting();
        return services;
    }

    /// <summary>Adds the middleware and every endpoint of the v2 API.</summary>
    public static void UseOctaviaApi(this WebApplication app)
    {
        app.UseMiddleware<OpenStackMiddleware>();
        // Before the response cache: a cached answer is served only to a caller whose token was checked.
        app.UseOctaviaAuth();

        app.UseMiddleware<ResponseCacheMiddleware>();
        app.UseRouting();
        MapEndpoints(app);
    }

    private static void MapEndpoints(IEndpointRouteBuilder api)
    {
        VersionEndpoints.Map(api);
        Endpoints.LoadBalancers.LoadBalancerEndpoints.Map(api);
        Endpoints.Listeners.ListenerEndpoints.Map(api);
        Endpoints.Pools.PoolEndpoints.Map(api);
        Endpoints.Quotas.QuotaEndpoints.Map(api);
        Endpoints.ProviderDrivers.ProviderEndpoints.Map(api);
        Endpoints.Flavors.FlavorEndpoints.Map(api);
        Endpoints.ProviderProfiles.ProviderProfileEndpoints.Map(api);
        Endpoints.AvailabilityZones.AvailabilityZoneEndpoints.Map(api);
        Endpoints.Amphorae.AmphoraEndpoints.Map(api);
        Endpoints.Members.MemberEndpoints.Map(api);
        Endpoints.HealthMonitors.HealthMonitorEndpoints.Map(api);
        Endpoints.L7Policies.L7PolicyEndpoints.Map(api);
        Endpoints.L7Rules.L7RuleEndpoints.Map(api);
    }
}
