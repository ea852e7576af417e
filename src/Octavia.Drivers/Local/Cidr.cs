using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Numerics;

namespace Octavia.Drivers.Local;

/// <summary>An IPv4 or IPv6 prefix, with the arithmetic IPAM needs.</summary>
public readonly record struct Cidr(IPAddress Network, int PrefixLength)
{
    public int Bits => Network.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;

    public int IpVersion => Bits == 32 ? 4 : 6;

    public static Cidr Parse(string text)
    {
        if (!TryParse(text, out var cidr))
        {
            throw new FormatException($"'{text}' is not a CIDR.");
        }

        return cidr;
    }

    public static bool TryParse(string? text, out Cidr cidr)
    {
        cidr = default;
        var slash = text?.IndexOf('/') ?? -1;
        if (text is null || slash < 0 || !IPAddress.TryParse(text[..slash], out var address)
            || !int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var length))
        {
            return false;
        }

        var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (length > bits)
        {
            return false;
        }

        cidr = new Cidr(FromNumber(ToNumber(address) & Mask(length, bits), bits), length);
        return true;
    }

    public BigInteger First => ToNumber(Network);

    public BigInteger Last => First + (BigInteger.One << (Bits - PrefixLength)) - 1;

    public bool Contains(IPAddress address) =>
        address.AddressFamily == Network.AddressFamily && ToNumber(address) >= First && ToNumber(address) <= Last;

    public bool Overlaps(Cidr other) =>
        other.Network.AddressFamily == Network.AddressFamily && other.First <= Last && First <= other.Last;

    /// <summary>The address <paramref name="offset"/> places after the network address.</summary>
    public IPAddress At(BigInteger offset) => FromNumber(First + offset, Bits);

    public override string ToString() => $"{Network}/{PrefixLength}";

    public static BigInteger ToNumber(IPAddress address) => new(address.GetAddressBytes(), isUnsigned: true, isBigEndian: true);

    public static IPAddress FromNumber(BigInteger value, int bits)
    {
        var bytes = new byte[bits / 8];
        var raw = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        raw.AsSpan(Math.Max(0, raw.Length - bytes.Length)).CopyTo(bytes.AsSpan(Math.Max(0, bytes.Length - raw.Length)));
        return new IPAddress(bytes);
    }

    private static BigInteger Mask(int length, int bits) =>
        ((BigInteger.One << bits) - 1) ^ ((BigInteger.One << (bits - length)) - 1);
}
