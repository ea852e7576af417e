namespace Octavia.Api.Json;

/// <summary>The attributes a caller asked for with <c>fields=</c>; all when none were given.</summary>
public sealed class FieldSet
{
    public static readonly FieldSet All = new(null);

    private readonly HashSet<string>? _fields;

    public FieldSet(IEnumerable<string>? fields) => _fields = fields is null ? null : new HashSet<string>(fields, StringComparer.Ordinal);

    public bool Has(string name) => _fields is null || _fields.Contains(name);
}
