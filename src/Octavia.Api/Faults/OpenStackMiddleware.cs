using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Octavia.Core.Logging;
using Octavia.Http;

namespace Octavia.Api.Faults;

/// <summary>
/// The HTTP conventions every response follows: an <c>x-openstack-request-id</c> header, upstream's
/// <c>/v2.0</c> and <c>.json</c> path aliases, and every error as an <c>application/json</c> fault body
/// (never ASP.NET's problem+json, which upstream's clients misread).
/// </summary>
public sealed partial class OpenStackMiddleware(RequestDelegate next, ILogger<OpenStackMiddleware> logger)
{
    public const string RequestIdHeader = OpenStackHeaders.RequestId;

    public async Task InvokeAsync(HttpContext context)
    {
        context.Response.Headers[RequestIdHeader] = "req-" + Guid.NewGuid().ToString();
        NormalizePath(context.Request);
        try
        {
            await next(context);
            if (context.Response.StatusCode >= 400 && !context.Response.HasStarted && context.Response.ContentLength is null or 0
                && context.Response.ContentType is null)
            {
                await WriteFaultAsync(context, context.Response.StatusCode, DefaultMessage(context.Response.StatusCode));
            }
        }
        catch (HttpFaultException e)
        {
            // Octavia's own faults, and those of the shared plumbing (Keystone unreachable, a body too large).
            await WriteFaultAsync(context, e.StatusCode, e.Message);
        }
        catch (BadHttpRequestException e)
        {
            await WriteFaultAsync(context, e.StatusCode, e.StatusCode == 413 ? "Request is too large." : "Request is not in valid JSON format");
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
        catch (Exception e)
        {
            LogUnexpected(logger, e, context.Request.Method, context.Request.Path);
            await WriteFaultAsync(context, 500, "An unexpected error occurred. Please try again.", "Server");
        }
    }

    private static void NormalizePath(HttpRequest request)
    {
        var path = request.Path.Value ?? "/";
        if (path.StartsWith("/v2.0", StringComparison.Ordinal) && (path.Length == 5 || path[5] == '/'))
        {
            path = "/v2" + path[5..];
        }

        if (path.EndsWith(".json", StringComparison.Ordinal))
        {
            path = path[..^5];
        }

        if (path.Length > 1 && path.EndsWith('/'))
        {
            path = path.TrimEnd('/');
        }

        // PathString(string) keeps the already-decoded value as is; the implicit conversion would decode it again.
        request.Path = new PathString(path.Length == 0 ? "/" : path);
    }

    private static string DefaultMessage(int status) => status switch
    {
        404 => "The resource could not be found.",
        405 => "The method is not allowed for the requested URL.",
        406 => "Only application/json is supported.",
        413 => "Request is too large.",
        415 => "Only application/json request bodies are supported.",
        _ => "The request could not be served.",
    };

    internal static async Task WriteFaultAsync(HttpContext context, int status, string message, string code = "Client")
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        var requestId = context.Response.Headers[RequestIdHeader].ToString();
        context.Response.Clear();
        context.Response.Headers[RequestIdHeader] = requestId;
        if (status == 413 && context.Request.ContentLength is not (null or <= Hosting.ApiRequest.MaxDrainBytes))
        {
            // The rest of a very large body is never read, so the connection cannot be reused: say so.
            context.Response.Headers.Connection = "close";
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("faultcode", status >= 500 ? "Server" : code);
            writer.WriteString("faultstring", message);
            writer.WriteNull("debuginfo");
            writer.WriteEndObject();
        }

        context.Response.ContentLength = buffer.Length;
        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
    }

    [LoggerMessage(EventId = LogEventIds.OpenStackMiddlewareUnexpected, Level = LogLevel.Error, Message = "Unexpected error serving {Method} {Path}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string method, string path);
}
