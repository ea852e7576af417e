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

    /// <summary>
    /// Bodies up to this size are read to the end even when too large, so the 413 goes back on a
    /// connection that stays usable; larger ones are refused at once and the connection closed.
    /// </summary>
    public const int MaxDrainBytes = 1024 * 1024;

    public static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpContext http)
    {
        if (http.Request.ContentLength > MaxDrainBytes)
        {
            throw new ApiException(413, "Request is too large.");
        }

        var buffer = new ArrayBufferWriter<byte>(4096);
        var stream = http.Request.Body;
        var total = 0L;
        while (true)
        {
            var memory = buffer.GetMemory(4096);
            var read = await stream.ReadAsync(memory, http.RequestAborted);
            if (read == 0)
            {
                break;
            }

            total += read;
            if (total <= MaxBodyBytes)
            {
                buffer.Advance(read);
            }
        }

        return total > MaxBodyBytes ? throw new ApiException(413, "Request is too large.") : buffer.WrittenMemory;
    }

    public static ApiSettingsOptions Settings(HttpContext http) =>
        http.RequestServices.GetService(typeof(IOptions<ApiSettingsOptions>)) is IOptions<ApiSettingsOptions> o ? o.Value : new ApiSettingsOptions();

    public static RequestContext Context(HttpContext http) => RequestContext.FromHttp(http, Settings(http));
}
