using System.Linq.Expressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Octavia.Api.Auth;
using Octavia.Api.Faults;
using Octavia.Api.Policy;
using Octavia.Core.Configuration;
using Octavia.Http;

namespace Octavia.Api.Hosting;

/// <summary>Request-level helpers shared by every endpoint.</summary>
public static class ApiRequest
{
    /// <summary>oslo.middleware's sizelimit default (<see cref="RequestBody.MaxBytes"/>).</summary>
    public const int MaxBodyBytes = RequestBody.MaxBytes;

    /// <summary><see cref="RequestBody.MaxDrainBytes"/>.</summary>
    public const int MaxDrainBytes = RequestBody.MaxDrainBytes;

    public static Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpContext http) => RequestBody.ReadAsync(http);

    public static ApiSettingsOptions Settings(HttpContext http) =>
        http.RequestServices.GetService(typeof(IOptions<ApiSettingsOptions>)) is IOptions<ApiSettingsOptions> o ? o.Value : new ApiSettingsOptions();

    /// <summary>The caller, worked out once per request.</summary>
    public static RequestContext Context(HttpContext http)
    {
        if (http.Features.Get<RequestContext>() is { } known)
        {
            return known;
        }

        var context = RequestContext.FromHttp(http, Settings(http), null);
        http.Features.Set(context);
        return context;
    }

    /// <summary>Checks the policy's rule <c>os_load-balancer_api:&lt;resource&gt;:&lt;action&gt;</c> for an object of <paramref name="projectId"/>.</summary>
    public static void Authorize(HttpContext http, string resourceAction, string? projectId)
    {
        if (PolicyApplies(http))
        {
            Context(http).Enforce(PolicyDefaults.Prefix + resourceAction, projectId);
        }
    }

    /// <summary>Under noauth every caller is an admin: no policy, and no caller context built on the hot read paths.</summary>
    private static bool PolicyApplies(HttpContext http) =>
        !string.Equals(Settings(http).AuthStrategy, RequestContext.NoAuth, StringComparison.OrdinalIgnoreCase);

    /// <summary>Checks a rule for an object without a project (flavors, amphorae, …): upstream's target is the caller's project.</summary>
    public static void AuthorizeOwn(HttpContext http, string resourceAction)
    {
        var context = Context(http);
        context.Enforce(PolicyDefaults.Prefix + resourceAction, context.ProjectId);
    }

    /// <summary>
    /// <paramref name="source"/> limited to what the caller may list (<see cref="ListProject"/>), by the project
    /// <paramref name="project"/> selects. The project goes to the database as a parameter, so one plan serves every caller.
    /// </summary>
    public static IQueryable<T> Listable<T>(HttpContext http, string resource, IQueryable<T> source, Expression<Func<T, string>> project)
    {
        if (ListProject(http, resource) is not { } allowed)
        {
            return source;
        }

        var value = Expression.Property(Expression.Constant(new ProjectParameter(allowed)), nameof(ProjectParameter.Value));
        return source.Where(Expression.Lambda<Func<T, bool>>(Expression.Equal(project.Body, value), project.Parameters));
    }

    private sealed record ProjectParameter(string Value);

    /// <summary>The project a listing is limited to (null: all the request asks for); see <see cref="RequestContext.ListProject"/>.</summary>
    public static string? ListProject(HttpContext http, string resource)
    {
        if (!PolicyApplies(http))
        {
            return null;
        }

        var requested = http.Request.Query["project_id"];
        return Context(http).ListProject(resource, requested.Count > 0 && !string.IsNullOrEmpty(requested[0]) ? requested[0] : null);
    }
}
