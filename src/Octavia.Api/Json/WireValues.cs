using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Numerics;

namespace Octavia.Api.Json;

/// <summary>
/// How upstream's request types (WSME) read scalar values sent as strings, and how addresses are compared
/// when they are kept as sent.
/// </summary>
public static class WireValues
{
    /// <summary>
    /// Python's <c>int(str)</c>, which WSME applies to every integer attribute: blanks around, one optional
    /// sign, decimal digits with single underscores between them. Null when the text is not such a number.
    /// </summary>
    public static BigInteger? ParsePythonInt(string text)
    {
        var s = text.Trim();
        var start = s.Length > 0 && (s[0] == '+' || s[0] == '-') ? 1 : 0;
        if (s.Length == start || s[start] == '_' || s[^1] == '_' || s.Contains("__", StringComparison.Ordinal))
        {
            return null;
        }

        for (var i = start; i < s.Length; i++)
        {
            if (!char.IsAsciiDigit(s[i]) && s[i] != '_')
            {
                return null;
            }
        }

        return BigInteger.Parse(s.Replace("_", "", StringComparison.Ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The strings WSME's <c>bool_fromjson</c> takes (its <c>ENUM_TRUE</c> and <c>ENUM_FALSE</c>, compared
    /// exactly: <c>"True"</c> is refused upstream, so it is here). Null for anything else.
    /// </summary>
    public static bool? ParseWsmeBool(string text) => text switch
    {
        "true" or "t" or "yes" or "y" or "on" or "1" => true,
        "false" or "f" or "no" or "n" or "off" or "0" => false,
        _ => null,
    };

    /// <summary>
    /// Parses an IPv4 or IPv6 address as upstream's <c>IPAddressType</c> accepts it (Python's
    /// <c>ipaddress</c>): IPv4 only as four decimal parts without leading zeros, no IPv6 zone.
    /// </summary>
    public static IPAddress? ParseAddress(string text)
    {
        if (text.Contains('%', StringComparison.Ordinal) || !IPAddress.TryParse(text, out var ip))
        {
            return null;
        }

        if (ip.AddressFamily == AddressFamily.InterNetwork)
        {
            var parts = text.Split('.');
            if (parts.Length != 4 || parts.Any(p => p.Length is 0 or > 3 || (p.Length > 1 && p[0] == '0') || !p.All(char.IsAsciiDigit)))
            {
                return null;
            }
        }

        return ip;
    }

    /// <summary>The canonical spelling of an address (RFC 5952 for IPv6), for comparisons; the text itself if it is none.</summary>
    public static string CanonicalAddress(string text) =>
        IPAddress.TryParse(text, out var ip) ? ip.ToString() : text;

    /// <summary>Whether two spellings name the same address (<c>2001:db8::1</c> and <c>2001:db8:0:0:0:0:0:1</c>).</summary>
    public static bool SameAddress(string? a, string? b) =>
        a is not null && b is not null && (a == b || CanonicalAddress(a) == CanonicalAddress(b));
}
