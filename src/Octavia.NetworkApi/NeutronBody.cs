using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Octavia.Http;

namespace Octavia.NetworkApi;

/// <summary>
/// The object inside a request's <c>{"resource": {...}}</c>, read attribute by attribute with Neutron's
/// rules: unknown attributes, wrong types and bad values are 400s that name the attribute.
/// </summary>
public sealed class NeutronBody
{
    private readonly JsonElement _object;

    private NeutronBody(JsonElement obj) => _object = obj;

    /// <summary>Reads the request body and checks the envelope and the attribute names.</summary>
    public static async Task<NeutronBody> ReadAsync(HttpContext http, string resource, IReadOnlySet<string> allowed)
    {
        var raw = await RequestBody.ReadAsync(http);
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(raw, new JsonDocumentOptions { MaxDepth = 32 });
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw NeutronException.BadRequest("Malformed request body");
        }

        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(resource, out var inner) || inner.ValueKind != JsonValueKind.Object)
        {
            throw NeutronException.BadRequest($"Resource body required: a '{resource}' object.");
        }

        var unknown = inner.EnumerateObject().Select(p => p.Name).Where(n => !allowed.Contains(n)).ToList();
        if (unknown.Count > 0)
        {
            throw NeutronException.BadRequest($"Unrecognized attribute(s) '{string.Join(", ", unknown)}'");
        }

        return new NeutronBody(inner);
    }

    public bool Has(string name) => _object.TryGetProperty(name, out _);

    /// <summary>Refuses attributes that cannot change after create.</summary>
    public void RejectReadOnly(params string[] names)
    {
        foreach (var name in names.Where(Has))
        {
            throw NeutronException.BadRequest($"Cannot update read-only attribute {name}");
        }
    }

    public JsonElement? Raw(string name) => _object.TryGetProperty(name, out var v) ? v : null;

    /// <summary>A string attribute; null when absent (or JSON null, if <paramref name="nullable"/>).</summary>
    public string? String(string name, int maxLength = 255, bool nullable = false)
    {
        if (!_object.TryGetProperty(name, out var v) || (nullable && v.ValueKind == JsonValueKind.Null))
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.String)
        {
            throw NeutronException.InvalidAttribute(name, $"{Show(v)} is not a valid string");
        }

        var s = v.GetString()!;
        return s.Length > maxLength ? throw NeutronException.InvalidAttribute(name, $"'{s}' exceeds maximum length of {maxLength}") : s;
    }

    /// <summary>A boolean; Neutron also takes the strings "true"/"false" and the numbers 0/1.</summary>
    public bool? Bool(string name)
    {
        if (!_object.TryGetProperty(name, out var v))
        {
            return null;
        }

        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String when bool.TryParse(v.GetString(), out var b) => b,
            JsonValueKind.Number when v.TryGetInt32(out var n) && n is 0 or 1 => n == 1,
            _ => throw NeutronException.InvalidAttribute(name, $"{Show(v)} is not a valid boolean value"),
        };
    }

    public int? Int(string name, int min, int max)
    {
        if (!_object.TryGetProperty(name, out var v))
        {
            return null;
        }

        int n;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var number))
        {
            n = number;
        }
        else if (v.ValueKind == JsonValueKind.String && int.TryParse(v.GetString(), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var parsed))
        {
            n = parsed;
        }
        else
        {
            throw NeutronException.InvalidAttribute(name, $"{Show(v)} is not an integer");
        }

        return n < min || n > max ? throw NeutronException.InvalidAttribute(name, $"{n} is not in the range {min} to {max}") : n;
    }

    /// <summary>A list attribute's items; null when absent.</summary>
    public IReadOnlyList<JsonElement>? List(string name)
    {
        if (!_object.TryGetProperty(name, out var v))
        {
            return null;
        }

        return v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray().ToList()
            : throw NeutronException.InvalidAttribute(name, $"{Show(v)} is not a list");
    }

    /// <summary>The project of the new object: <c>project_id</c> or its older name <c>tenant_id</c> (equal when both).</summary>
    public string? Project()
    {
        var project = String("project_id");
        var tenant = String("tenant_id");
        return project is not null && tenant is not null && project != tenant
            ? throw NeutronException.BadRequest("'project_id' and 'tenant_id' do not match")
            : project ?? tenant;
    }

    /// <summary>A JSON value as Neutron quotes it in a message.</summary>
    public static string Show(JsonElement v) => v.ValueKind == JsonValueKind.String ? $"'{v.GetString()}'" : v.GetRawText();
}
