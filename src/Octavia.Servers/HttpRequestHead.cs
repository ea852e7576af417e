using System.Buffers.Text;
using System.Text;

namespace Octavia.Servers;

/// <summary>
/// The request line and headers of one HTTP/1.x request, parsed in place: just what the built-in backend
/// needs (method, path, query, keep-alive, body length) and the raw header lines for <c>/headers</c>.
/// </summary>
internal readonly ref struct HttpRequestHead
{
    public ReadOnlySpan<byte> Method { get; private init; }

    public ReadOnlySpan<byte> Path { get; private init; }

    /// <summary>What follows <c>?</c> in the target, without it; empty when there is none.</summary>
    public ReadOnlySpan<byte> Query { get; private init; }

    /// <summary>The header lines, each ending in CRLF.</summary>
    public ReadOnlySpan<byte> HeaderLines { get; private init; }

    public bool IsHttp11 { get; private init; }

    /// <summary>Whether the connection stays open after the response (RFC 9112 §9.3).</summary>
    public bool KeepAlive { get; private init; }

    public long ContentLength { get; private init; }

    /// <summary>
    /// Parses <paramref name="head"/>: the request line and header lines, each ending in CRLF, without the
    /// empty line that ends the head. Returns 0, or the status code to answer before closing the connection.
    /// </summary>
    public static int Parse(ReadOnlySpan<byte> head, out HttpRequestHead request)
    {
        request = default;
        var lineEnd = head.IndexOf("\r\n"u8);
        var line = head[..lineEnd];
        var firstSpace = line.IndexOf((byte)' ');
        var lastSpace = line.LastIndexOf((byte)' ');
        if (firstSpace <= 0 || lastSpace <= firstSpace + 1)
        {
            return 400;
        }

        var version = line[(lastSpace + 1)..];
        bool isHttp11;
        if (version.SequenceEqual("HTTP/1.1"u8))
        {
            isHttp11 = true;
        }
        else if (version.SequenceEqual("HTTP/1.0"u8))
        {
            isHttp11 = false;
        }
        else
        {
            return version.StartsWith("HTTP/"u8) ? 505 : 400;
        }

        var target = line[(firstSpace + 1)..lastSpace];
        if (target[0] != (byte)'/' || target.Contains((byte)' '))
        {
            return 400;
        }

        var question = target.IndexOf((byte)'?');
        var headerLines = head[(lineEnd + 2)..];
        var keepAlive = isHttp11;
        long contentLength = 0;
        var rest = headerLines;
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf("\r\n"u8);
            var header = rest[..end];
            rest = rest[(end + 2)..];
            var colon = header.IndexOf((byte)':');
            // No whitespace between a field name and its colon (RFC 9112 §5.1), and no obsolete line folding.
            if (colon <= 0 || header[colon - 1] is (byte)' ' or (byte)'\t' || header[0] is (byte)' ' or (byte)'\t')
            {
                return 400;
            }

            var name = header[..colon];
            var value = header[(colon + 1)..].Trim(" \t"u8);
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (!Utf8Parser.TryParse(value, out long length, out var consumed) || consumed != value.Length || length < 0
                    || (contentLength != 0 && length != contentLength))
                {
                    return 400;
                }

                contentLength = length;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                // Chunked request bodies are not drained; no load balancer health check or benchmark sends one.
                return 501;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                foreach (var range in value.Split((byte)','))
                {
                    var option = value[range].Trim(" \t"u8);
                    if (Ascii.EqualsIgnoreCase(option, "close"u8))
                    {
                        keepAlive = false;
                    }
                    else if (Ascii.EqualsIgnoreCase(option, "keep-alive"u8) && !isHttp11)
                    {
                        keepAlive = true;
                    }
                }
            }
        }

        request = new HttpRequestHead
        {
            Method = line[..firstSpace],
            Path = question < 0 ? target : target[..question],
            Query = question < 0 ? [] : target[(question + 1)..],
            HeaderLines = headerLines,
            IsHttp11 = isHttp11,
            KeepAlive = keepAlive,
            ContentLength = contentLength,
        };
        return 0;
    }
}
