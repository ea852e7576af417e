using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Octavia.Core.Health;

/// <summary>Why a datagram was not accepted as a heartbeat.</summary>
public enum HeartbeatRejection
{
    None,
    TooShort,
    TooLarge,
    BadSignature,
    BadCompression,
    TooLargeDecompressed,
}

/// <summary>
/// The heartbeat envelope (reference/health.md §3.1): <c>zlib(json, level 9)</c> followed by the lower-case hex
/// HMAC-SHA256 of the compressed bytes keyed with the heartbeat key; receivers also accept the legacy
/// 32-byte binary digest. Decoding never trusts a size it has not checked: the datagram, the digest and the
/// decompressed body are all bounded.
/// </summary>
public static class HeartbeatCodec
{
    /// <summary>A UDP datagram is at most this large.</summary>
    public const int MaxDatagramBytes = 65_535;

    /// <summary>The largest JSON body accepted after decompression (a heartbeat of hundreds of listeners fits).</summary>
    public const int MaxJsonBytes = 1 << 20;

    private const int HexDigestLength = 64;
    private const int BinaryDigestLength = 32;

    public static byte[] Encode(ReadOnlySpan<byte> json, string key)
    {
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            zlib.Write(json);
        }

        var body = compressed.ToArray();
        var digest = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), body)));
        return [.. body, .. digest];
    }

    /// <summary>Checks the signature, then decompresses; on success <paramref name="json"/> holds the JSON body.</summary>
    public static HeartbeatRejection TryDecode(ReadOnlySpan<byte> datagram, string key, out byte[] json) =>
        TryDecode(datagram, Encoding.UTF8.GetBytes(key), out json);

    /// <summary>As <see cref="TryDecode(ReadOnlySpan{byte}, string, out byte[])"/>, with the key already in UTF-8 (a receiver keeps it so).</summary>
    public static HeartbeatRejection TryDecode(ReadOnlySpan<byte> datagram, byte[] keyBytes, out byte[] json)
    {
        json = [];
        if (datagram.Length > MaxDatagramBytes)
        {
            return HeartbeatRejection.TooLarge;
        }

        if (datagram.Length <= BinaryDigestLength)
        {
            return HeartbeatRejection.TooShort;
        }

        ReadOnlySpan<byte> body;
        if (datagram.Length > HexDigestLength && HexDigestMatches(datagram[..^HexDigestLength], datagram[^HexDigestLength..], keyBytes))
        {
            body = datagram[..^HexDigestLength];
        }
        else if (CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(keyBytes, datagram[..^BinaryDigestLength]), datagram[^BinaryDigestLength..]))
        {
            body = datagram[..^BinaryDigestLength];
        }
        else
        {
            return HeartbeatRejection.BadSignature;
        }

        return Decompress(body, out json);
    }

    private static bool HexDigestMatches(ReadOnlySpan<byte> body, ReadOnlySpan<byte> digest, byte[] key)
    {
        Span<byte> expected = stackalloc byte[HexDigestLength];
        var mac = HMACSHA256.HashData(key, body);
        for (var i = 0; i < mac.Length; i++)
        {
            expected[2 * i] = (byte)"0123456789abcdef"[mac[i] >> 4];
            expected[(2 * i) + 1] = (byte)"0123456789abcdef"[mac[i] & 0xF];
        }

        return CryptographicOperations.FixedTimeEquals(expected, digest);
    }

    [ThreadStatic]
    private static byte[]? _decompressBuffer;

    [ThreadStatic]
    private static byte[]? _compressedBuffer;

    private static HeartbeatRejection Decompress(ReadOnlySpan<byte> body, out byte[] json)
    {
        json = [];
        try
        {
            // Per-thread buffers on both sides: the only allocation is the result.
            var compressed = _compressedBuffer is { } c && c.Length >= body.Length ? c : _compressedBuffer = new byte[Math.Max(body.Length, 2048)];
            body.CopyTo(compressed);
            using var input = new MemoryStream(compressed, 0, body.Length, writable: false);
            using var zlib = new ZLibStream(input, CompressionMode.Decompress);
            var buffer = _decompressBuffer ??= new byte[64 * 1024];
            var length = 0;
            int read;
            while ((read = zlib.Read(buffer, length, buffer.Length - length)) > 0)
            {
                length += read;
                if (length > MaxJsonBytes)
                {
                    return HeartbeatRejection.TooLargeDecompressed;
                }

                if (length == buffer.Length)
                {
                    Array.Resize(ref buffer, Math.Min(buffer.Length * 2, MaxJsonBytes + 1));
                    _decompressBuffer = buffer;
                }
            }

            json = buffer.AsSpan(0, length).ToArray();
            return HeartbeatRejection.None;
        }
        catch (InvalidDataException)
        {
            return HeartbeatRejection.BadCompression;
        }
    }
}
