using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Octavia.Http;

/// <summary>
/// A JSON response written straight into the response's pipe (Kestrel's pooled buffers): no intermediate
/// copy, and large lists are not re-grown. Like upstream's uwsgi, which strips Content-Length, the body
/// goes out chunked.
/// </summary>
public sealed class JsonResult(int statusCode, Action<Utf8JsonWriter> write) : IResult
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = statusCode;
        response.ContentType = "application/json";
        using (var writer = new Utf8JsonWriter(response.BodyWriter, WriterOptions))
        {
            write(writer);
        }

        await response.BodyWriter.FlushAsync(httpContext.RequestAborted);
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
