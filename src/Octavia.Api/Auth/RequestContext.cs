using Microsoft.AspNetCore.Http;
using Octavia.Api.Auth.Keystone;
using Octavia.Api.Faults;
using Octavia.Core.Configuration;

namespace Octavia.Api.Auth;

/// <summary>
/// Who is calling. Under <c>noauth</c> (upstream's semantics) every caller is an admin and the project
/// comes from the request body or the <c>X-Project-Id</c> header. Under <c>keystone</c> everything comes
/// from the validated token (<see cref="KeystoneAuthMiddleware"/>); the header is ignored.
/// </summary>
public sealed class RequestContext
{
    public const string NoAuth = "noauth";
    public const string Keystone = "keystone";

    public string? ProjectId { get; init; }

    /// <summary>The token's user; null under noauth.</summary>
    public string? UserId { get; init; }

    /// <summary>The token's role names (empty under noauth).</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>
    /// Upstream's <c>context_is_admin</c>: always under noauth; under keystone the <c>admin</c> role (the
    /// policy work of issue 6 part 2 decides the rest).
    /// </summary>
    public bool IsAdmin { get; init; }

    /// <summary>The project for a request that names none: noauth's configured default; null under keystone.</summary>
    public string? DefaultProjectId { get; init; }

    /// <summary>Whether quota checks apply. This project enforces quotas under noauth too (docs/decisions.md).</summary>
    public bool EnforceQuotas => true;

    public bool HasRole(string role) => Roles.Any(r => string.Equals(r, role, StringComparison.OrdinalIgnoreCase));

    public static RequestContext FromHttp(HttpContext http, ApiSettingsOptions settings)
    {
        if (string.Equals(settings.AuthStrategy, Keystone, StringComparison.OrdinalIgnoreCase))
        {
            // The middleware refuses any request without a valid token, so this is there for every endpoint.
            var identity = http.Features.Get<KeystoneIdentity>() ?? throw new ApiException(401, "The request you have made requires authentication.");
            return new RequestContext
            {
                ProjectId = identity.ProjectId,
                UserId = identity.UserId,
                Roles = identity.Roles,
                IsAdmin = identity.HasRole("admin"),
            };
        }

        var header = http.Request.Headers["X-Project-Id"].ToString();
        return new RequestContext
        {
            ProjectId = string.IsNullOrEmpty(header) ? null : header,
            IsAdmin = true,
            DefaultProjectId = settings.NoauthDefaultProjectId,
        };
    }

    /// <summary>
    /// The project a new object belongs to: the body's <c>project_id</c> (or <c>tenant_id</c>), else the
    /// caller's, else the configured default of a single-user install.
    /// </summary>
    public string ResolveProject(string? fromBody)
    {
        var project = fromBody ?? ProjectId ?? DefaultProjectId
            ?? throw ApiException.ValidationFailure(
                "Missing project ID in request where one is required. An administrator should check the keystone settings in use.");
        if (!IsAdmin && project != ProjectId)
        {
            throw ApiException.Forbidden();
        }

        return project;
    }
}
