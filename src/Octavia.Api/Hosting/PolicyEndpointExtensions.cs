using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Octavia.Api.Hosting;

/// <summary>Policy checks for endpoints whose objects have no project (flavors, zones, profiles, providers, amphorae).</summary>
public static class PolicyEndpointExtensions
{
    /// <summary>
    /// Checks <c>os_load-balancer_api:&lt;resourceAction&gt;</c> against the caller's own project before the handler
    /// runs, as upstream does for these objects (its target is the caller's project).
    /// </summary>
    public static RouteHandlerBuilder RequirePolicy(this RouteHandlerBuilder builder, string resourceAction) =>
        builder.AddEndpointFilter((invocation, next) =>
        {
            ApiRequest.AuthorizeOwn(invocation.HttpContext, resourceAction);
            return next(invocation);
        });
}
