using Microsoft.AspNetCore.Http;
using Octavia.Api.Faults;
using Octavia.Api.Policy;
using Octavia.Core.Configuration;
using Octavia.Http.Keystone;

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

    /// <summary>Upstream's <c>context_is_admin</c>: always under noauth; under keystone as the policy's rule of that name says.</summary>
    public bool IsAdmin { get; init; }

    /// <summary>The policy every action is checked against; null under noauth, where every caller may do everything.</summary>
    public PolicyEnforcer? Policy { get; init; }

    private PolicyCredentials Credentials => new(UserId, ProjectId, Roles, IsAdmin);

    /// <summary>The project for a request that names none: noauth's configured default; null under keystone.</summary>
    public string? DefaultProjectId { get; init; }

    /// <summary>Whether quota checks apply. This project enforces quotas under noauth too (docs/decisions.md).</summary>
    public bool EnforceQuotas => true;

    public bool HasRole(string role) => Roles.Any(r => string.Equals(r, role, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Whether the policy's <paramref name="rule"/> (a full name, <c>os_load-balancer_api:…</c>) lets the caller act on
    /// an object of <paramref name="projectId"/> (upstream's target; the caller's own project for objects without one).
    /// </summary>
    public bool Allows(string rule, string? projectId) =>
        Policy is null || Policy.Authorize(rule, Credentials, new PolicyTarget(projectId));

    /// <summary><see cref="Allows"/>, or upstream's 403 "Policy does not allow this request to be performed."</summary>
    public void Enforce(string rule, string? projectId)
    {
        if (!Allows(rule, projectId))
        {
            throw ApiException.Forbidden();
        }
    }

    /// <summary>
    /// The projects a listing of <paramref name="resource"/> may show, as upstream's <c>_auth_get_all</c> decides:
    /// null (no restriction beyond the request's own <c>project_id</c> filter) for a caller <c>get_all-global</c>
    /// allows, else the requested project (default: the caller's) once <c>get_all</c> allows it.
    /// </summary>
    public string? ListProject(string resource, string? requestedProject)
    {
        if (Policy is null || Allows($"{PolicyDefaults.Prefix}{resource}:get_all-global", requestedProject))
        {
            return null;
        }

        var project = requestedProject ?? ProjectId ?? throw ApiException.Forbidden();
        Enforce($"{PolicyDefaults.Prefix}{resource}:get_all", project);
        return project;
    }

    public static RequestContext FromHttp(HttpContext http, ApiSettingsOptions settings, PolicyEnforcer? policy)
    {
        if (string.Equals(settings.AuthStrategy, Keystone, StringComparison.OrdinalIgnoreCase))
        {
            // The middleware refuses any request without a valid token, so this is there for every endpoint.
            var identity = http.Features.Get<KeystoneIdentity>() ?? throw new ApiException(401, "The request you have made requires authentication.");
            policy ??= http.RequestServices.GetService(typeof(PolicyEnforcer)) as PolicyEnforcer
                ?? throw new InvalidOperationException("auth_strategy = keystone needs the policy enforcer.");
            return new RequestContext
            {
                ProjectId = identity.ProjectId,
                UserId = identity.UserId,
                Roles = identity.Roles,
                IsAdmin = policy.IsAdmin(new PolicyCredentials(identity.UserId, identity.ProjectId, identity.Roles, false)),
                Policy = policy,
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
