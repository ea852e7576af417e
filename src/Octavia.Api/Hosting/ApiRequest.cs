using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Octavia.Api.Auth;
using Octavia.Api.Faults;
using Octavia.Core.Configuration;

namespace Octavia.Api.Hosting;

/// <summary>Request-level helpers shared by every endpoint.</summary>
public static class ApiRequest
{
    /// <summary>oslo.middleware's sizelimit default.</summary>
    public const int MaxBodyBytes = 114688;

    public static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpContext http)
    {
        if (http.Request.ContentLength > MaxBodyBytes)
        {
            throw new ApiException(413, "Request is too large.");
        }

        var buffer = new ArrayBufferWriter<byte>(4096);
        var stream = http.Request.Body;
        while (true)
        {
            var memory = buffer.GetMemory(4096);
            var read = await stream.ReadAsync(memory, http.RequestAborted);
            if (read == 0)
            {
                break;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > MaxBodyBytes)
            {
                throw new ApiException(413, "Request is too large.");
            }
        }

        return buffer.WrittenMemory;
    }

    public static ApiSettingsOptions Settings(HttpContext http) =>
        http.RequestServices.GetService(typeof(IOptions<ApiSettingsOptions>)) is IOptions<ApiSettingsOptions> o ? o.Value : new ApiSettingsOptions();

    public static RequestContext Context(HttpContext http) => RequestContext.FromHttp(http, Settings(http));
}
