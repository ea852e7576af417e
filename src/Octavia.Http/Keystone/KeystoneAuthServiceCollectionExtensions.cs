using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Octavia.Api.Policy;
using Octavia.Core.Configuration;

namespace Octavia.Api.Auth.Keystone;

/// <summary>
/// <c>[api_settings] auth_strategy</c> for every web host that serves OpenStack callers: the load-balancer API and
/// the networking API read the same setting and check tokens with the same code.
/// </summary>
public static class KeystoneAuthServiceCollectionExtensions
{
    /// <summary>
    /// Binds <c>[api_settings]</c> (auth_strategy must be noauth or keystone) and, under keystone, the token checks
    /// and upstream's policy. The <c>[keystone_authtoken]</c> options are validated only when keystone is chosen:
    /// a noauth install needs no such section.
    /// </summary>
    public static IServiceCollection AddOctaviaAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ApiSettingsOptions>().Bind(configuration.GetSection(ApiSettingsOptions.SectionName))
            .Validate(o => IsNoAuth(o) || IsKeystone(o), "[api_settings] auth_strategy must be noauth or keystone.")
            .ValidateOnStart();
        var api = configuration.GetSection(ApiSettingsOptions.SectionName).Get<ApiSettingsOptions>() ?? new ApiSettingsOptions();
        var keystone = services.AddOptions<KeystoneAuthTokenOptions>().Bind(configuration.GetSection(KeystoneAuthTokenOptions.SectionName));
        if (!IsKeystone(api))
        {
            return services;
        }

        keystone
            .Validate(o => Uri.TryCreate(o.AuthUrl, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps),
                "[keystone_authtoken] auth_url must be the http(s) URL of Keystone (with or without /v3).")
            .Validate(o => string.Equals(o.AuthType, "password", StringComparison.OrdinalIgnoreCase),
                "[keystone_authtoken] auth_type must be password.")
            .Validate(o => !string.IsNullOrEmpty(o.Username) || !string.IsNullOrEmpty(o.UserId),
                "[keystone_authtoken] username (or user_id) and password are required.")
            .Validate(o => o.HttpConnectTimeout > 0 && o.HttpRequestMaxRetries >= 0 && o.TokenCacheTime >= 0 && o.TokenCacheEntries >= 0,
                "[keystone_authtoken] http_connect_timeout must be positive; http_request_max_retries, token_cache_time and token_cache_entries not negative.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<KeystoneClient>();
        services.TryAddSingleton<KeystoneTokenValidator>();
        // auth_url with or without its version, as keystoneauth takes it; not a Keystone at all stops the start.
        services.AddHostedService<KeystoneDiscovery>();

        // The policy applies only to keystone callers (noauth makes everyone an admin). A policy file that
        // cannot be read stops the start, naming the file, the line and the rule.
        services.AddOptions<OsloPolicyOptions>().Bind(configuration.GetSection(OsloPolicyOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OsloPolicyOptions>, PolicyFileValidator>());
        services.TryAddSingleton<PolicyEnforcer>();
        return services;
    }

    /// <summary>Under keystone, refuses every request without a valid token (see <see cref="KeystoneAuthMiddleware"/>); nothing under noauth.</summary>
    public static IApplicationBuilder UseOctaviaAuth(this IApplicationBuilder app)
    {
        if (IsKeystone(app.ApplicationServices.GetRequiredService<IOptions<ApiSettingsOptions>>().Value))
        {
            app.UseMiddleware<KeystoneAuthMiddleware>();
        }

        return app;
    }

    internal static bool IsNoAuth(ApiSettingsOptions o) => string.Equals(o.AuthStrategy, RequestContext.NoAuth, StringComparison.OrdinalIgnoreCase);

    public static bool IsKeystone(ApiSettingsOptions o) => string.Equals(o.AuthStrategy, RequestContext.Keystone, StringComparison.OrdinalIgnoreCase);
}
