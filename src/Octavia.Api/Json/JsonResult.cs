using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Octavia.Api.Json;

/// <summary>A JSON response written straight to a pooled buffer, with an exact Content-Length.</summary>
public sealed class JsonResult(int statusCode, Action<Utf8JsonWriter> write) : IResult
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        var response = httpContext.Response;
        response.StatusCode = statusCode;
        response.ContentType = "application/json";
        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory, httpContext.RequestAborted);
    }

    /// <summary><c>{"envelope": {...}}</c>.</summary>
    public static JsonResult Single(int status, string envelope, Action<Utf8JsonWriter> writeObject) =>
        new(status, w =>
        {
            w.WriteStartObject();
            w.WritePropertyName(envelope);
            writeObject(w);
            w.WriteEndObject();
        });

    public static IResult Status(int status) => Results.StatusCode(status);
}
