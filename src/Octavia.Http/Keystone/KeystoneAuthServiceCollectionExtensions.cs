using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Octavia.Core.Configuration;

namespace Octavia.Http.Keystone;

/// <summary>
/// <c>[api_settings] auth_strategy</c> for every web host that serves OpenStack callers: the load-balancer API and
/// the networking API read the same setting and check tokens with the same code.
/// </summary>
public static class KeystoneAuthServiceCollectionExtensions
{
    /// <summary><c>auth_strategy = keystone</c>: every caller needs a token Keystone accepts.</summary>
    public const string Keystone = "keystone";

    /// <summary><c>auth_strategy = noauth</c>: every caller is an admin.</summary>
    public const string NoAuth = "noauth";

    /// <summary>
    /// Binds <c>[api_settings]</c> (auth_strategy must be noauth or keystone) and, under keystone, the token checks.
    /// The <c>[keystone_authtoken]</c> options are validated only when keystone is chosen: a noauth install needs no
    /// such section. Each API adds its own policy on top.
    /// </summary>
    public static IServiceCollection AddKeystoneAuth(this IServiceCollection services, IConfiguration configuration)
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

        return services;
    }

    /// <summary>Under keystone, refuses every request without a valid token (see <see cref="KeystoneAuthMiddleware"/>); nothing under noauth.</summary>
    public static IApplicationBuilder UseKeystoneAuth(this IApplicationBuilder app)
    {
        if (IsKeystone(app.ApplicationServices.GetRequiredService<IOptions<ApiSettingsOptions>>().Value))
        {
            app.UseMiddleware<KeystoneAuthMiddleware>();
        }

        return app;
    }

    public static bool IsNoAuth(ApiSettingsOptions o) => string.Equals(o.AuthStrategy, NoAuth, StringComparison.OrdinalIgnoreCase);

    public static bool IsKeystone(ApiSettingsOptions o) => string.Equals(o.AuthStrategy, Keystone, StringComparison.OrdinalIgnoreCase);
}
