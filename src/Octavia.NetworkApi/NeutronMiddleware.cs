using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Octavia.Core.Logging;
using Octavia.Http;

namespace Octavia.NetworkApi;

/// <summary>
/// The HTTP conventions of Neutron's API: an <c>x-openstack-request-id</c> header, the <c>.json</c> suffix
/// and a trailing slash accepted, and every error (404 and 405 of unknown paths included) as Neutron's
/// <c>{"NeutronError": {...}}</c> body.
/// </summary>
public sealed partial class NeutronMiddleware(RequestDelegate next, ILogger<NeutronMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        context.Response.Headers[OpenStackHeaders.RequestId] = "req-" + Guid.NewGuid().ToString();
        var path = context.Request.Path.Value ?? "/";
        if (path.EndsWith(".json", StringComparison.Ordinal))
        {
            path = path[..^5];
        }

        if (path.Length > 1 && path.EndsWith('/'))
        {
            path = path.TrimEnd('/');
        }

        context.Request.Path = new PathString(path.Length == 0 ? "/" : path);
        try
        {
            await next(context);
            if (context.Response.StatusCode >= 400 && !context.Response.HasStarted && context.Response.ContentType is null)
            {
                var status = context.Response.StatusCode;
                await WriteErrorAsync(context, status, status switch
                {
                    404 => "HTTPNotFound",
                    405 => "HTTPMethodNotAllowed",
                    _ => "HTTPBadRequest",
                }, status switch
                {
                    404 => "The resource could not be found.",
                    405 => "The method is not allowed for the requested URL.",
                    _ => "The request could not be served.",
                });
            }
        }
        catch (NeutronException e)
        {
            await WriteErrorAsync(context, e.StatusCode, e.Type, e.Message);
        }
        catch (HttpFaultException e)
        {
            // The shared plumbing (body size, Keystone unreachable): same status, Neutron's body.
            await WriteErrorAsync(context, e.StatusCode, e.StatusCode switch
            {
                401 => "HTTPUnauthorized",
                403 => "PolicyNotAuthorized",
                413 => "HTTPRequestEntityTooLarge",
                503 => "HTTPServiceUnavailable",
                _ => "HTTPBadRequest",
            }, e.Message);
        }
        catch (BadHttpRequestException e)
        {
            await WriteErrorAsync(context, e.StatusCode, e.StatusCode == 413 ? "HTTPRequestEntityTooLarge" : "HTTPBadRequest",
                e.StatusCode == 413 ? "Request is too large." : "Malformed request body");
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
        catch (Exception e)
        {
            LogUnexpected(logger, e, context.Request.Method, context.Request.Path);
            await WriteErrorAsync(context, 500, "HTTPInternalServerError", "Request Failed: internal server error while processing your request.");
        }
    }

    private static async Task WriteErrorAsync(HttpContext context, int status, string type, string message)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        var requestId = context.Response.Headers[OpenStackHeaders.RequestId].ToString();
        context.Response.Clear();
        context.Response.Headers[OpenStackHeaders.RequestId] = requestId;
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("NeutronError");
            writer.WriteString("type", type);
            writer.WriteString("message", message);
            writer.WriteString("detail", "");
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        context.Response.ContentLength = buffer.Length;
        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
    }

    [LoggerMessage(EventId = LogEventIds.NeutronMiddlewareUnexpected, Level = LogLevel.Error, Message = "Unexpected error serving {Method} {Path}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string method, string path);
}
