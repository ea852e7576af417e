using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Octavia.Http.Keystone;

namespace Octavia.Api.Hosting;

/// <summary>
/// Serves a GET of the v2 API from <see cref="ResponseCache"/> when nothing changed since the same request
/// was answered, and stores successful answers. The key is the path, the query and the caller: under
/// noauth its project header, under keystone its token's user, project and roles (everything a policy
/// decision or a project filter can depend on), so a cached answer never reaches another caller.
/// </summary>
public sealed class ResponseCacheMiddleware(RequestDelegate next, ResponseCache cache)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!cache.Enabled || !HttpMethods.IsGet(request.Method) || !request.Path.StartsWithSegments("/v2", StringComparison.Ordinal))
        {
            await next(context);
            return;
        }

        var caller = context.Features.Get<KeystoneIdentity>() is { } identity ? "keystone\n" + identity.Scope : request.Headers["X-Project-Id"].ToString();
        var key = string.Concat(request.Path.Value, request.QueryString.Value, "\n", caller);
        if (cache.CurrentVersion() is not { } version)
        {
            await next(context);
            return;
        }

        if (cache.Find(key, version) is { } hit)
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = hit.ContentType;
            context.Response.ContentLength = hit.Body.Length;
            await context.Response.Body.WriteAsync(hit.Body, context.RequestAborted);
            return;
        }

        var original = context.Features.Get<IHttpResponseBodyFeature>()!;
        using var buffer = new MemoryStream();
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(buffer, original));
        try
        {
            await next(context);
            await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
        }
        finally
        {
            context.Features.Set(original);
        }

        var body = buffer.ToArray();
        if (context.Response.StatusCode == 200 && context.Response.ContentType is { } contentType)
        {
            cache.Store(key, version, contentType, body);
        }

        if (body.Length > 0)
        {
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        }
    }
}
