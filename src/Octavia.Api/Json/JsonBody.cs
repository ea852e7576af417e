using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Octavia.Api.Faults;

namespace Octavia.Api.Json;

/// <summary>
/// One JSON object of a request body, read attribute by attribute with upstream's (WSME's) rules:
/// unknown attributes and wrong types are 400s whose faultstring names the attribute.
/// </summary>
public sealed class JsonBody
{
    private readonly JsonElement _object;

    private JsonBody(JsonElement obj, string argument, IReadOnlySet<string> allowed)
    {
        _object = obj;
        var unknown = new List<string>();
        foreach (var property in obj.EnumerateObject())
        {
            if (!allowed.Contains(property.Name))
            {
                unknown.Add(property.Name);
            }
        }

        if (unknown.Count > 0)
        {
            throw ApiException.BadRequest($"Unknown attribute for argument {argument}: {string.Join(", ", unknown)}");
        }
    }

    /// <summary>Parses <c>{"envelope": {...}}</c> and checks the inner object's attribute names.</summary>
    public static JsonBody Parse(ReadOnlyMemory<byte> body, string envelope, IReadOnlySet<string> allowed)
    {
        var root = ParseDocument(body);
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw ApiException.BadRequest("Invalid input: the request body must be a JSON object.");
        }

        JsonElement? inner = null;
        foreach (var property in root.EnumerateObject())
        {
            if (property.Name != envelope)
            {
                throw ApiException.BadRequest($"Unknown argument: {property.Name}");
            }

            inner = property.Value;
        }

        if (inner is null)
        {
            throw ApiException.InvalidInput(envelope, null, "Mandatory field missing.");
        }

        return FromElement(inner.Value, envelope, allowed);
    }

    public static JsonElement ParseDocument(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 32 });
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw ApiException.BadRequest("Request is not in valid JSON format");
        }
    }

    public static JsonBody FromElement(JsonElement element, string argument, IReadOnlySet<string> allowed)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw ApiException.InvalidInput(argument, Raw(element), "Value should be an object.");
        }

        return new JsonBody(element, argument, allowed);
    }

    public bool Has(string name) => _object.TryGetProperty(name, out _);

    public bool IsEmpty => !_object.EnumerateObject().Any();

    public IEnumerable<string> Names => _object.EnumerateObject().Select(p => p.Name);

    private bool TryGet(string name, out JsonElement value) => _object.TryGetProperty(name, out value);

    public Opt<string?> String(string name, int maxLength = 255, int minLength = 0)
    {
        if (!TryGet(name, out var v))
        {
            return Opt<string?>.Absent;
        }

        if (v.ValueKind == JsonValueKind.Null)
        {
            return new(true, null);
        }

        if (v.ValueKind != JsonValueKind.String)
        {
            throw ApiException.InvalidInput(name, Raw(v), "Value should be string.");
        }

        var s = v.GetString()!;
        CheckLength(name, s, minLength, maxLength);
        return new(true, s);
    }

    public Opt<string?> Uuid(string name)
    {
        var s = String(name, int.MaxValue);
        if (s.Present && s.Value is not null && !IsUuid(s.Value))
        {
            throw ApiException.InvalidInput(name, s.Value, "Value should be UUID format");
        }

        return s.Present && s.Value is not null ? new(true, s.Value.ToLowerInvariant()) : s;
    }

    public Opt<string?> Enum(string name, IReadOnlyList<string> values)
    {
        var s = String(name, int.MaxValue);
        if (s.Present && s.Value is not null && !values.Contains(s.Value))
        {
            throw ApiException.InvalidInput(name, s.Value, "Value should be one of: " + string.Join(", ", values));
        }

        return s;
    }

    /// <summary>
    /// An IPv4 or IPv6 address, validated and kept as sent (upstream's <c>IPAddressType</c> stores the
    /// original string: <c>2001:db8:0:0:0:0:0:1</c> comes back so). Compare with <see cref="WireValues.SameAddress"/>.
    /// </summary>
    public Opt<string?> IpAddress(string name)
    {
        var s = String(name, 64);
        if (s.Present && s.Value is not null && (s.Value.Contains('[', StringComparison.Ordinal) || WireValues.ParseAddress(s.Value) is null))
        {
            throw ApiException.InvalidInput(name, s.Value, "Value should be IPv4 or IPv6 format");
        }

        return s;
    }

    /// <summary>
    /// An integer attribute. As upstream's WSME types, a string holding a decimal integer is converted
    /// (<c>"80"</c> is 80: Python's <c>int(str)</c>, which allows surrounding blanks, a sign and single
    /// underscores between digits); anything else that is not a JSON integer is refused.
    /// </summary>
    public Opt<int?> Int(string name, long min = int.MinValue, long max = int.MaxValue)
    {
        if (!TryGet(name, out var v))
        {
            return Opt<int?>.Absent;
        }

        if (v.ValueKind == JsonValueKind.Null)
        {
            return new(true, null);
        }

        BigInteger n;
        if (v.ValueKind == JsonValueKind.String)
        {
            n = WireValues.ParsePythonInt(v.GetString()!)
                ?? throw ApiException.InvalidInput(name, Raw(v), $"invalid literal for int() with base 10: '{Truncate(v.GetString()!)}'");
        }
        else if (v.ValueKind != JsonValueKind.Number || !BigInteger.TryParse(v.GetRawText(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out n))
        {
            throw ApiException.InvalidInput(name, Raw(v), "Value should be integer.");
        }

        if (n < min)
        {
            throw ApiException.InvalidInput(name, Raw(v), string.Create(CultureInfo.InvariantCulture, $"Value should be greater or equal to {min}"));
        }

        if (n > max)
        {
            throw ApiException.InvalidInput(name, Raw(v), string.Create(CultureInfo.InvariantCulture, $"Value should be lower or equal to {max}"));
        }

        return new(true, (int)n);
    }

    /// <summary>A float attribute; a string holding a decimal number is converted, as WSME's <c>float(str)</c>.</summary>
    public Opt<double?> Number(string name)
    {
        if (!TryGet(name, out var v))
        {
            return Opt<double?>.Absent;
        }

        if (v.ValueKind == JsonValueKind.Null)
        {
            return new(true, null);
        }

        double? d = v.ValueKind switch
        {
            JsonValueKind.Number when v.TryGetDouble(out var n) => n,
            JsonValueKind.String when double.TryParse(v.GetString()!.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) => n,
            _ => null,
        };
        if (d is not { } value || !double.IsFinite(value))
        {
            throw ApiException.InvalidInput(name, Raw(v), "Value should be a number.");
        }

        return new(true, value);
    }

    /// <summary>
    /// A boolean attribute, converted as WSME's <c>bool_fromjson</c> does: JSON booleans, JSON integers
    /// (non-zero is true) and the strings of <see cref="WireValues.ParseWsmeBool"/>.
    /// </summary>
    public Opt<bool?> Bool(string name)
    {
        if (!TryGet(name, out var v))
        {
            return Opt<bool?>.Absent;
        }

        return v.ValueKind switch
        {
            JsonValueKind.Null => new(true, null),
            JsonValueKind.True => new(true, true),
            JsonValueKind.False => new(true, false),
            JsonValueKind.Number when BigInteger.TryParse(v.GetRawText(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) => new(true, !n.IsZero),
            JsonValueKind.String when WireValues.ParseWsmeBool(v.GetString()!) is { } b => new(true, b),
            _ => throw ApiException.InvalidInput(name, Raw(v), "Value not an unambiguous boolean: " + Raw(v)),
        };
    }

    public Opt<List<string>?> StringList(string name, int maxItemLength = 255)
    {
        if (!TryGet(name, out var v))
        {
            return Opt<List<string>?>.Absent;
        }

        if (v.ValueKind == JsonValueKind.Null)
        {
            return new(true, null);
        }

        if (v.ValueKind != JsonValueKind.Array)
        {
            throw ApiException.InvalidInput(name, Raw(v), "Value should be a list of strings.");
        }

        var list = new List<string>();
        foreach (var item in v.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                throw ApiException.InvalidInput(name, Raw(v), "Value should be a list of strings.");
            }

            var s = item.GetString()!;
            CheckLength(name, s, 0, maxItemLength);
            list.Add(s);
        }

        return new(true, list);
    }

    public Opt<List<string>?> Tags() => StringList("tags");

    public Opt<Dictionary<string, string>?> StringMap(string name, int maxValueLength = 255)
    {
        if (!TryGet(name, out var v))
        {
            return Opt<Dictionary<string, string>?>.Absent;
        }

        if (v.ValueKind == JsonValueKind.Null)
        {
            return new(true, null);
        }

        if (v.ValueKind != JsonValueKind.Object)
        {
            throw ApiException.InvalidInput(name, Raw(v), "Value should be a dictionary of strings.");
        }

        var map = new Dictionary<string, string>();
        foreach (var p in v.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.String)
            {
                throw ApiException.InvalidInput(name, Raw(v), "Value should be a dictionary of strings.");
            }

            var s = p.Value.GetString()!;
            CheckLength(name, s, 0, maxValueLength);
            map[p.Name] = s;
        }

        return new(true, map);
    }

    public Opt<JsonBody?> Object(string name, IReadOnlySet<string> allowed)
    {
        if (!TryGet(name, out var v))
        {
            return Opt<JsonBody?>.Absent;
        }

        return v.ValueKind == JsonValueKind.Null ? new(true, null) : new(true, FromElement(v, name, allowed));
    }

    public Opt<List<JsonBody>?> ObjectList(string name, IReadOnlySet<string> allowed)
    {
        if (!TryGet(name, out var v))
        {
            return Opt<List<JsonBody>?>.Absent;
        }

        if (v.ValueKind == JsonValueKind.Null)
        {
            return new(true, null);
        }

        if (v.ValueKind != JsonValueKind.Array)
        {
            throw ApiException.InvalidInput(name, Raw(v), "Value should be a list of objects.");
        }

        return new(true, v.EnumerateArray().Select(e => FromElement(e, name, allowed)).ToList());
    }

    /// <summary>A POST attribute that must be present and not null.</summary>
    public static T Required<T>(string name, Opt<T?> value)
        where T : class
    {
        if (!value.Present || value.Value is null)
        {
            throw ApiException.InvalidInput(name, null, "Mandatory field missing.");
        }

        return value.Value;
    }

    /// <summary>A POST attribute of value type that must be present and not null.</summary>
    public static T RequiredValue<T>(string name, Opt<T?> value)
        where T : struct
    {
        if (!value.Present || value.Value is null)
        {
            throw ApiException.InvalidInput(name, null, "Mandatory field missing.");
        }

        return value.Value.Value;
    }

    /// <summary>A PUT attribute that may be omitted but not set to null.</summary>
    public static Opt<T> NotNull<T>(string name, Opt<T> value)
    {
        if (value.Present && value.Value is null)
        {
            throw ApiException.InvalidInput(name, null, "Value may not be null.");
        }

        return value;
    }

    public static bool IsUuid(string s) =>
        (s.Length == 36 || s.Length == 32) && Guid.TryParse(s, out _);

    private static void CheckLength(string name, string s, int min, int max)
    {
        if (s.Length > max)
        {
            throw ApiException.InvalidInput(name, Truncate(s), string.Create(CultureInfo.InvariantCulture, $"Value should have a maximum character requirement of {max}"));
        }

        if (s.Length < min)
        {
            throw ApiException.InvalidInput(name, s, string.Create(CultureInfo.InvariantCulture, $"Value should have a minimum character requirement of {min}"));
        }
    }

    private static string Truncate(string s) => s.Length > 64 ? s[..64] + "..." : s;

    private static string Raw(JsonElement v) => Truncate(v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText());
}
