using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Octavia.Core.Health;

namespace Octavia.Drivers.Tests.Health;

/// <summary>The heartbeat envelope of reference/health.md §3.1: what passes and what is dropped, and why.</summary>
public sealed class HeartbeatCodecTests
{
    private const string Key = "insecure-test-key";
    private static readonly byte[] Json = Encoding.UTF8.GetBytes("""{"id": "amp", "seq": 7, "ver": 3, "listeners": {}, "pools": {}}""");

    [Fact]
    public void Encoded_IsZlibThenLowerHexHmacOfTheCompressedBytes()
    {
        var datagram = HeartbeatCodec.Encode(Json, Key);
        var body = datagram[..^64];
        Assert.Equal(Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Key), body)), Encoding.ASCII.GetString(datagram[^64..]));
        using var zlib = new ZLibStream(new MemoryStream(body), CompressionMode.Decompress);
        using var plain = new MemoryStream();
        zlib.CopyTo(plain);
        Assert.Equal(Json, plain.ToArray());
    }

    [Fact]
    public void RoundTrip_ReturnsTheJson()
    {
        Assert.Equal(HeartbeatRejection.None, HeartbeatCodec.TryDecode(HeartbeatCodec.Encode(Json, Key), Key, out var json));
        Assert.Equal(Json, json);
    }

    [Fact]
    public void LegacyBinaryDigest_IsAccepted()
    {
        var body = HeartbeatCodec.Encode(Json, Key)[..^64];
        byte[] datagram = [.. body, .. HMACSHA256.HashData(Encoding.UTF8.GetBytes(Key), body)];
        Assert.Equal(HeartbeatRejection.None, HeartbeatCodec.TryDecode(datagram, Key, out var json));
        Assert.Equal(Json, json);
    }

    [Fact]
    public void WrongKey_FlippedBit_Truncated_AndGarbage_AreDropped()
    {
        var datagram = HeartbeatCodec.Encode(Json, Key);
        Assert.Equal(HeartbeatRejection.BadSignature, HeartbeatCodec.TryDecode(datagram, "another-key", out _));

        var flipped = datagram.ToArray();
        flipped[3] ^= 0x01;
        Assert.Equal(HeartbeatRejection.BadSignature, HeartbeatCodec.TryDecode(flipped, Key, out _));
        Assert.Equal(HeartbeatRejection.BadSignature, HeartbeatCodec.TryDecode(datagram[..^1], Key, out _));
        Assert.Equal(HeartbeatRejection.TooShort, HeartbeatCodec.TryDecode(datagram[..20], Key, out _));

        var random = new Random(42);
        for (var i = 0; i < 10_000; i++)
        {
            var noise = new byte[random.Next(0, 2000)];
            random.NextBytes(noise);
            Assert.NotEqual(HeartbeatRejection.None, HeartbeatCodec.TryDecode(noise, Key, out _));
        }
    }

    [Fact]
    public void SignedButNotZlib_OrTooLargeOnceInflated_IsDropped()
    {
        var notZlib = Encoding.ASCII.GetBytes("plain text, properly signed");
        byte[] signed = [.. notZlib, .. Encoding.ASCII.GetBytes(Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Key), notZlib)))];
        Assert.Equal(HeartbeatRejection.BadCompression, HeartbeatCodec.TryDecode(signed, Key, out _));

        // 16 MiB of zeros compress to a few KiB: a signed bomb is refused at the bound, not inflated.
        var bomb = HeartbeatCodec.Encode(new byte[16 << 20], Key);
        Assert.True(bomb.Length < HeartbeatCodec.MaxDatagramBytes);
        Assert.Equal(HeartbeatRejection.TooLargeDecompressed, HeartbeatCodec.TryDecode(bomb, Key, out _));
        Assert.Equal(HeartbeatRejection.TooLarge, HeartbeatCodec.TryDecode(new byte[HeartbeatCodec.MaxDatagramBytes + 1], Key, out _));
    }
}
