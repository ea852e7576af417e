using Microsoft.AspNetCore.Http;
using Octavia.Api.Faults;
using Octavia.Core.Configuration;

namespace Octavia.Api.Auth;

/// <summary>
/// Who is calling. Under <c>noauth</c> (upstream's semantics) every caller is an admin and the project
/// comes from the request body or the <c>X-Project-Id</c> header. The Keystone strategy will fill the
/// same fields from a validated token.
/// </summary>
public sealed class RequestContext
{
    public string? ProjectId { get; init; }
    public bool IsAdmin { get; init; }
    public required string DefaultProjectId { get; init; }

    /// <summary>Whether quota checks apply. This project enforces quotas under noauth too (docs/decisions.md).</summary>
    public bool EnforceQuotas => true;

    public static RequestContext FromHttp(HttpContext http, ApiSettingsOptions settings)
    {
        if (!string.Equals(settings.AuthStrategy, "noauth", StringComparison.OrdinalIgnoreCase))
        {
            throw new ApiException(500, $"auth_strategy {settings.AuthStrategy} is not available in this build.");
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
        var project = fromBody ?? ProjectId ?? DefaultProjectId;
        if (!IsAdmin && ProjectId is not null && project != ProjectId)
        {
            throw ApiException.Forbidden();
        }

        return project;
    }
}
