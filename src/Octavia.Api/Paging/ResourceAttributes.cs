using System.Reflection;

namespace Octavia.Api.Paging;

/// <summary>Which API attributes of a resource can be filtered and sorted on, and the entity property behind each.</summary>
public sealed class ResourceAttributes<T>
{
    public ResourceAttributes(IReadOnlyDictionary<string, string> apiToProperty, string[]? notFilterable = null)
    {
        var map = apiToProperty.ToDictionary(kv => kv.Key, kv => typeof(T).GetProperty(kv.Value)
            ?? throw new InvalidOperationException($"{typeof(T).Name} has no property {kv.Value}"));
        Sortable = map;
        Filterable = map.Where(kv => notFilterable is null || !notFilterable.Contains(kv.Key)).ToDictionary();
        Tags = typeof(T).GetProperty("Tags");
        // The unique key closes every sort so markers are exact: id, or the name of an availability zone,
        // or the project of a quota row.
        DefaultSort = new[] { typeof(T).GetProperty("CreatedAt"), typeof(T).GetProperty("Id") ?? typeof(T).GetProperty("Name") ?? typeof(T).GetProperty("ProjectId") }
            .Where(p => p is not null).Select(p => p!).ToArray();
    }

    public IReadOnlyDictionary<string, PropertyInfo> Sortable { get; }
    public IReadOnlyDictionary<string, PropertyInfo> Filterable { get; }
    public PropertyInfo? Tags { get; }
    public IReadOnlyList<PropertyInfo> DefaultSort { get; }
}
