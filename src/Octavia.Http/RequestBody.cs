using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace Octavia.Http;

/// <summary>A request's body, read whole within oslo.middleware's size limit.</summary>
public static class RequestBody
{
    /// <summary>oslo.middleware's sizelimit default.</summary>
    public const int MaxBytes = 114688;

    /// <summary>
    /// Bodies up to this size are read to the end even when too large, so the 413 goes back on a
    /// connection that stays usable; larger ones are refused at once and the connection closed.
    /// </summary>
    public const int MaxDrainBytes = 1024 * 1024;

    public static async Task<ReadOnlyMemory<byte>> ReadAsync(HttpContext http)
    {
        if (http.Request.ContentLength > MaxDrainBytes)
        {
            throw new HttpFaultException(413, "Request is too large.");
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
            if (total <= MaxBytes)
            {
                buffer.Advance(read);
            }
        }

        return total > MaxBytes ? throw new HttpFaultException(413, "Request is too large.") : buffer.WrittenMemory;
    }
}
