using System.Globalization;
using System.Text.Json;

namespace Octavia.Api.Json;

/// <summary>
/// Writes one resource object, skipping the attributes left out by <c>fields=</c>, in upstream's
/// attribute order (the order of the calls).
/// </summary>
public readonly struct ResourceWriter(Utf8JsonWriter writer, FieldSet fields)
{
    public Utf8JsonWriter Writer => writer;

    public void String(string name, string? value)
    {
        if (fields.Has(name))
        {
            if (value is null)
            {
                writer.WriteNull(name);
            }
            else
            {
                writer.WriteString(name, value);
            }
        }
    }

    public void Int(string name, long? value)
    {
        if (fields.Has(name))
        {
            if (value is null)
            {
                writer.WriteNull(name);
            }
            else
            {
                writer.WriteNumber(name, value.Value);
            }
        }
    }

    public void Double(string name, double? value)
    {
        if (fields.Has(name))
        {
            if (value is null)
            {
                writer.WriteNull(name);
            }
            else
            {
                writer.WriteNumber(name, value.Value);
            }
        }
    }

    public void Bool(string name, bool? value)
    {
        if (fields.Has(name))
        {
            if (value is null)
            {
                writer.WriteNull(name);
            }
            else
            {
                writer.WriteBoolean(name, value.Value);
            }
        }
    }

    public void Time(string name, DateTime? value) => String(name, value is null ? null : FormatTime(value.Value));

    public void StringList(string name, IEnumerable<string>? values)
    {
        if (!fields.Has(name))
        {
            return;
        }

        if (values is null)
        {
            writer.WriteNull(name);
            return;
        }

        writer.WriteStartArray(name);
        foreach (var v in values)
        {
            writer.WriteStringValue(v);
        }

        writer.WriteEndArray();
    }

    /// <summary>Writes <c>[{"id": ...}, ...]</c>, upstream's way of linking related objects.</summary>
    public void IdList(string name, IEnumerable<string> ids)
    {
        if (!fields.Has(name))
        {
            return;
        }

        writer.WriteStartArray(name);
        foreach (var id in ids)
        {
            writer.WriteStartObject();
            writer.WriteString("id", id);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    public void StringMap(string name, IReadOnlyDictionary<string, string> map)
    {
        if (!fields.Has(name))
        {
            return;
        }

        writer.WriteStartObject(name);
        foreach (var (k, v) in map)
        {
            writer.WriteString(k, v);
        }

        writer.WriteEndObject();
    }

    /// <summary>Starts a nested value when the attribute is wanted; the caller writes the value.</summary>
    public bool Wants(string name) => fields.Has(name);

    /// <summary>Upstream's timestamp format: ISO 8601, UTC, no zone suffix, microseconds when non-zero.</summary>
    public static string FormatTime(DateTime value)
    {
        var micros = value.Ticks % TimeSpan.TicksPerSecond / 10;
        return micros == 0
            ? value.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)
            : value.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
    }
}
