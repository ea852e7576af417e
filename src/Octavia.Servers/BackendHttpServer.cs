using System.Buffers;
using System.Buffers.Text;
using System.Net.Sockets;

namespace Octavia.Servers;

/// <summary>
/// HTTP mode: a minimal HTTP/1.1 server on one socket per connection. Requests may be kept alive and
/// pipelined; responses to the requests already received go out in one send. Every response carries a
/// Content-Length; request bodies (Content-Length only) are read and dropped.
/// </summary>
/// <remarks>
/// Routes: <c>/</c> answers the name line; <c>/healthcheck</c> answers 200 <c>OK</c>, or 503 after
/// <c>POST /healthcheck/down</c> until <c>POST /healthcheck/up</c>; <c>/headers</c> echoes the request
/// headers as <c>Name: value</c> lines; <c>/session</c> answers like <c>/</c> and sets the cookie
/// <c>JSESSIONID=&lt;name&gt;</c> (an application cookie for APP_COOKIE persistence). <c>?delay=MS</c> on
/// any path waits that long before answering.
/// </remarks>
internal sealed class BackendHttpServer(byte[] nameLine)
{
    private readonly byte[] _sessionCookie = System.Text.Encoding.ASCII.GetBytes(
        "Set-Cookie: JSESSIONID=" + System.Text.Encoding.ASCII.GetString(nameLine).Trim() + "; Path=/\r\n");

    /// <summary>The request line and headers must fit in this many bytes; larger heads get 431.</summary>
    public const int MaxHeadBytes = 8 * 1024;

    /// <summary>Upper bound of <c>?delay=</c>, one hour, so a typo cannot park a connection for weeks.</summary>
    private const int MaxDelayMilliseconds = 3_600_000;

    private volatile bool _healthy = true;

    public async Task ServeAsync(Socket connection, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxHeadBytes);
        var output = new ArrayBufferWriter<byte>(1024);
        try
        {
            int start = 0, end = 0;
            long drain = 0;
            while (true)
            {
                var sent = 0;
                var close = false;
                while (true)
                {
                    if (drain > 0)
                    {
                        var take = (int)Math.Min(drain, end - start);
                        start += take;
                        drain -= take;
                        if (drain > 0)
                        {
                            break;
                        }
                    }

                    var outcome = Handle(buffer.AsSpan(start, end - start), output);
                    if (outcome.Consumed == 0)
                    {
                        break;
                    }

                    start += outcome.Consumed;
                    drain = outcome.BodyLength;
                    if (outcome.DelayMilliseconds > 0)
                    {
                        // Answers to earlier pipelined requests go out before this one waits.
                        if (outcome.ResponseStart > sent)
                        {
                            await connection.SendAsync(output.WrittenMemory[sent..outcome.ResponseStart], SocketFlags.None, cancellationToken);
                            sent = outcome.ResponseStart;
                        }

                        await Task.Delay(outcome.DelayMilliseconds, cancellationToken);
                    }

                    if (outcome.Close)
                    {
                        close = true;
                        break;
                    }
                }

                if (output.WrittenCount > sent)
                {
                    await connection.SendAsync(output.WrittenMemory[sent..], SocketFlags.None, cancellationToken);
                }

                output.ResetWrittenCount();
                if (close)
                {
                    connection.Shutdown(SocketShutdown.Send);
                    return;
                }

                if (start == end)
                {
                    start = end = 0;
                }
                else if (start > 0)
                {
                    buffer.AsSpan(start, end - start).CopyTo(buffer);
                    end -= start;
                    start = 0;
                }

                var read = await connection.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None, cancellationToken);
                if (read == 0)
                {
                    return;
                }

                end += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>What handling one request left to do once its response is in the output buffer.</summary>
    private readonly record struct Outcome(int Consumed, long BodyLength, int DelayMilliseconds, int ResponseStart, bool Close);

    /// <summary>
    /// Parses the request at the start of <paramref name="data"/> and writes its response; <see
    /// cref="Outcome.Consumed"/> is 0 while its head is incomplete.
    /// </summary>
    private Outcome Handle(ReadOnlySpan<byte> data, ArrayBufferWriter<byte> output)
    {
        var responseStart = output.WrittenCount;
        var headEnd = data.IndexOf("\r\n\r\n"u8);
        if (headEnd < 0)
        {
            if (data.Length < MaxHeadBytes)
            {
                return default;
            }

            WriteResponse(output, 431, "Request Header Fields Too Large"u8, withBody: true, Connection.Close);
            return new Outcome(data.Length, 0, 0, responseStart, Close: true);
        }

        var consumed = headEnd + 4;
        var error = HttpRequestHead.Parse(data[..(headEnd + 2)], out var request);
        if (error != 0)
        {
            WriteResponse(output, error, error == 501 ? "Transfer-Encoding is not supported"u8 : "Bad Request"u8, withBody: true, Connection.Close);
            return new Outcome(consumed, 0, 0, responseStart, Close: true);
        }

        var connection = !request.KeepAlive ? Connection.Close : request.IsHttp11 ? Connection.Default : Connection.KeepAlive;
        var withBody = !request.Method.SequenceEqual("HEAD"u8);
        var path = request.Path;
        if (path.SequenceEqual("/"u8))
        {
            WriteResponse(output, 200, nameLine, withBody, connection);
        }
        else if (path.SequenceEqual("/session"u8))
        {
            WriteResponse(output, 200, nameLine, withBody, connection, _sessionCookie);
        }
        else if (path.SequenceEqual("/healthcheck"u8))
        {
            var healthy = _healthy;
            WriteResponse(output, healthy ? 200 : 503, healthy ? "OK"u8 : "DOWN"u8, withBody, connection);
        }
        else if (path.SequenceEqual("/healthcheck/down"u8) || path.SequenceEqual("/healthcheck/up"u8))
        {
            if (request.Method.SequenceEqual("POST"u8))
            {
                var up = path.EndsWith("/up"u8);
                _healthy = up;
                WriteResponse(output, 200, up ? "UP"u8 : "DOWN"u8, withBody, connection);
            }
            else
            {
                WriteResponse(output, 405, "Method Not Allowed"u8, withBody, connection, "Allow: POST\r\n"u8);
            }
        }
        else if (path.SequenceEqual("/headers"u8))
        {
            WriteHeadersEcho(output, request.HeaderLines, withBody, connection);
        }
        else
        {
            WriteResponse(output, 404, "Not Found"u8, withBody, connection);
        }

        return new Outcome(consumed, request.ContentLength, DelayOf(request.Query), responseStart, connection == Connection.Close);
    }

    private enum Connection
    {
        /// <summary>HTTP/1.1 keeps the connection open without saying so.</summary>
        Default,
        KeepAlive,
        Close,
    }

    private static int DelayOf(ReadOnlySpan<byte> query)
    {
        foreach (var range in query.Split((byte)'&'))
        {
            var parameter = query[range];
            if (parameter.StartsWith("delay="u8)
                && Utf8Parser.TryParse(parameter[6..], out int milliseconds, out var consumed) && consumed == parameter.Length - 6)
            {
                return Math.Clamp(milliseconds, 0, MaxDelayMilliseconds);
            }
        }

        return 0;
    }

    private static void WriteHeadersEcho(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> headerLines, bool withBody, Connection connection)
    {
        var length = 0;
        foreach (var range in headerLines.Split("\r\n"u8))
        {
            var line = headerLines[range];
            if (!line.IsEmpty)
            {
                var colon = line.IndexOf((byte)':');
                length += colon + 2 + line[(colon + 1)..].Trim(" \t"u8).Length + 1;
            }
        }

        WriteHead(output, 200, length, connection, []);
        if (!withBody)
        {
            return;
        }

        foreach (var range in headerLines.Split("\r\n"u8))
        {
            var line = headerLines[range];
            if (!line.IsEmpty)
            {
                var colon = line.IndexOf((byte)':');
                output.Write(line[..colon]);
                output.Write(": "u8);
                output.Write(line[(colon + 1)..].Trim(" \t"u8));
                output.Write("\n"u8);
            }
        }
    }

    private static void WriteResponse(ArrayBufferWriter<byte> output, int status, ReadOnlySpan<byte> body, bool withBody, Connection connection,
        ReadOnlySpan<byte> extraHeaders = default)
    {
        WriteHead(output, status, body.Length, connection, extraHeaders);
        if (withBody)
        {
            output.Write(body);
        }
    }

    private static void WriteHead(ArrayBufferWriter<byte> output, int status, int contentLength, Connection connection, ReadOnlySpan<byte> extraHeaders)
    {
        output.Write(status switch
        {
            200 => "HTTP/1.1 200 OK\r\n"u8,
            400 => "HTTP/1.1 400 Bad Request\r\n"u8,
            404 => "HTTP/1.1 404 Not Found\r\n"u8,
            405 => "HTTP/1.1 405 Method Not Allowed\r\n"u8,
            431 => "HTTP/1.1 431 Request Header Fields Too Large\r\n"u8,
            501 => "HTTP/1.1 501 Not Implemented\r\n"u8,
            503 => "HTTP/1.1 503 Service Unavailable\r\n"u8,
            505 => "HTTP/1.1 505 HTTP Version Not Supported\r\n"u8,
            _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
        });
        output.Write("Content-Type: text/plain\r\nContent-Length: "u8);
        Utf8Formatter.TryFormat(contentLength, output.GetSpan(11), out var written);
        output.Advance(written);
        output.Write(connection switch
        {
            Connection.Close => "\r\nConnection: close\r\n"u8,
            Connection.KeepAlive => "\r\nConnection: keep-alive\r\n"u8,
            _ => "\r\n"u8,
        });
        output.Write(extraHeaders);
        output.Write("\r\n"u8);
    }
}
