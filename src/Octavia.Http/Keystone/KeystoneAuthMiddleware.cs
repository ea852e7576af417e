using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Octavia.Core.Configuration;

namespace Octavia.Http.Keystone;

/// <summary>
/// <c>auth_strategy = keystone</c>: every request but <c>/</c> and <c>/healthcheck</c> must carry an
/// <c>X-Auth-Token</c> that Keystone accepts (reference/api.md §1). The token's identity is left in the
/// request's features for the API behind; a missing or invalid token gets keystonemiddleware's
/// 401, and a Keystone that cannot answer a 503, never a pass.
/// </summary>
public sealed class KeystoneAuthMiddleware(RequestDelegate next, KeystoneTokenValidator validator, IOptions<KeystoneAuthTokenOptions> options)
{
    /// <summary>keystonemiddleware's 401 body, byte for byte in shape (reference/api.md §3: 401 bodies come from it).</summary>
    private static readonly byte[] UnauthorizedBody = Encoding.UTF8.GetBytes(
        """{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}""");

    private readonly string _wwwAuthenticate = $"Keystone uri=\"{options.Value.WwwAuthenticateUri ?? options.Value.AuthUrl}\"";

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value;
        if (path is "/" or "/healthcheck")
        {
            await next(context);
            return;
        }

        var token = context.Request.Headers["X-Auth-Token"].ToString();
        KeystoneIdentity? identity = null;
        if (token.Length > 0)
        {
            try
            {
                identity = await validator.ValidateAsync(token, context.RequestAborted);
            }
            catch (KeystoneUnavailableException)
            {
                throw new HttpFaultException(503, "The Keystone service is temporarily unavailable.");
            }
        }

        if (identity is null)
        {
            await RejectAsync(context);
            return;
        }

        context.Features.Set(identity);
        await next(context);
    }

    private async Task RejectAsync(HttpContext context)
    {
        context.Response.StatusCode = 401;
        context.Response.ContentType = "application/json";
        context.Response.Headers.WWWAuthenticate = _wwwAuthenticate;
        context.Response.ContentLength = UnauthorizedBody.Length;
        await context.Response.Body.WriteAsync(UnauthorizedBody, context.RequestAborted);
    }
}
