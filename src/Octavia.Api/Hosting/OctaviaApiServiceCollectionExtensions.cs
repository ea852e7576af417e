using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Octavia.Api.Auth;
using Octavia.Api.Auth.Keystone;
using Octavia.Api.Endpoints;
using Octavia.Api.Faults;
using Octavia.Api.Policy;
using Octavia.Core.Configuration;

namespace Octavia.Api.Hosting;

public static class OctaviaApiServiceCollectionExtensions
{
    /// <summary>Registers what the v2 API needs besides the database and the drivers.</summary>
    public static IServiceCollection AddOctaviaApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ApiSettingsOptions>().Bind(configuration.GetSection(ApiSettingsOptions.SectionName))
            .Validate(o => IsNoAuth(o) || IsKeystone(o), "[api_settings] auth_strategy must be noauth or keystone.")
            .ValidateOnStart();
        AddKeystoneAuth(services, configuration);
        services.AddOptions<QuotaOptions>().Bind(configuration.GetSection(QuotaOptions.SectionName));
        services.AddOptions<HaproxyAmphoraOptions>().Bind(configuration.GetSection(HaproxyAmphoraOptions.SectionName));
        services.AddOptions<NetworkingOptions>().Bind(configuration.GetSection(NetworkingOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.AddScoped<WriteScope>();
        services.AddSingleton(sp => new ResponseCache(
            sp.GetRequiredService<Octavia.Db.DatabaseTarget>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<ApiSettingsOptions>>().Value.ResponseCacheEntries));
        services.AddRouting();
        return services;
    }

    /// <summary>
    /// The token checks of <c>auth_strategy = keystone</c>. The options are validated only when that strategy
    /// is chosen: a noauth install needs no <c>[keystone_authtoken]</c> section.
    /// </summary>
    private static void AddKeystoneAuth(IServiceCollection services, IConfiguration configuration)
    {
        var api = configuration.GetSection(ApiSettingsOptions.SectionName).Get<ApiSettingsOptions>() ?? new ApiSettingsOptions();
        var keystone = services.AddOptions<KeystoneAuthTokenOptions>().Bind(configuration.GetSection(KeystoneAuthTokenOptions.SectionName));
        if (!IsKeystone(api))
        {
            return;
        }

        keystone
            .Validate(o => Uri.TryCreate(o.AuthUrl, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps),
                "[keystone_authtoken] auth_url must be the http(s) URL of Keystone's v3 API.")
            .Validate(o => string.Equals(o.AuthType, "password", StringComparison.OrdinalIgnoreCase),
                "[keystone_authtoken] auth_type must be password.")
            .Validate(o => !string.IsNullOrEmpty(o.Username) || !string.IsNullOrEmpty(o.UserId),
                "[keystone_authtoken] username (or user_id) and password are required.")
            .Validate(o => o.HttpConnectTimeout > 0 && o.HttpRequestMaxRetries >= 0 && o.TokenCacheTime >= 0 && o.TokenCacheEntries >= 0,
                "[keystone_authtoken] http_connect_timeout must be positive; http_request_max_retries, token_cache_time and token_cache_entries not negative.")
            .ValidateOnStart();
        services.TryAddSingleton<KeystoneClient>();
        services.TryAddSingleton<KeystoneTokenValidator>();

        // The policy applies only to keystone callers (noauth makes everyone an admin). A policy file that
        // cannot be read stops the start, naming the file, the line and the rule.
        services.AddOptions<OsloPolicyOptions>().Bind(configuration.GetSection(OsloPolicyOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OsloPolicyOptions>, PolicyFileValidator>());
        services.TryAddSingleton<PolicyEnforcer>();
    }

    private static bool IsNoAuth(ApiSettingsOptions o) => string.Equals(o.AuthStrategy, RequestContext.NoAuth, StringComparison.OrdinalIgnoreCase);

    private static bool IsKeystone(ApiSettingsOptions o) => string.Equals(o.AuthStrategy, RequestContext.Keystone, StringComparison.OrdinalIgnoreCase);

    /// <summary>Adds the middleware and every endpoint of the v2 API.</summary>
    public static void UseOctaviaApi(this WebApplication app)
    {
        app.UseMiddleware<OpenStackMiddleware>();
        if (IsKeystone(app.Services.GetRequiredService<IOptions<ApiSettingsOptions>>().Value))
        {
            // Before the response cache: a cached answer is served only to a caller whose token was checked.
            app.UseMiddleware<KeystoneAuthMiddleware>();
        }

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
