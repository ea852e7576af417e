using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Octavia.Api.Policy;
using Octavia.Core.Configuration;
using Octavia.Http.Keystone;

namespace Octavia.Api.Auth;

/// <summary>The load-balancer API's callers: the shared token checks, and upstream's policy on top under keystone.</summary>
public static class OctaviaAuthServiceCollectionExtensions
{
    /// <summary>
    /// <see cref="KeystoneAuthServiceCollectionExtensions.AddKeystoneAuth"/> and, under keystone, upstream's policy with
    /// the operator's file. A policy file that cannot be read stops the start, naming the file, the line and the rule.
    /// </summary>
    public static IServiceCollection AddOctaviaAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddKeystoneAuth(configuration);
        var api = configuration.GetSection(ApiSettingsOptions.SectionName).Get<ApiSettingsOptions>() ?? new ApiSettingsOptions();
        if (!KeystoneAuthServiceCollectionExtensions.IsKeystone(api))
        {
            // noauth makes every caller an admin: no policy.
            return services;
        }

        services.AddOptions<OsloPolicyOptions>().Bind(configuration.GetSection(OsloPolicyOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OsloPolicyOptions>, PolicyFileValidator>());
        services.TryAddSingleton<PolicyEnforcer>();
        return services;
    }

    /// <summary>The token checks (<see cref="KeystoneAuthMiddleware"/>) under keystone; nothing under noauth.</summary>
    public static IApplicationBuilder UseOctaviaAuth(this IApplicationBuilder app) => app.UseKeystoneAuth();
}
