using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Octavia.Api.Faults;
using Octavia.Api.Json;
using Octavia.Core.Configuration;

namespace Octavia.Api.Paging;

/// <summary>
/// The list features of every collection GET (reference/api.md §4): attribute filters, tag filters,
/// multi-key sort, marker pagination with links, and field selection.
/// </summary>
public sealed class ListQuery
{
    private static readonly HashSet<string> ReservedKeys =
        ["limit", "marker", "page_reverse", "sort", "sort_key", "sort_dir", "fields", "tags", "tags-any", "not-tags", "not-tags-any"];

    // Reflection looked up once: these run on every list request.
    private static readonly System.Reflection.MethodInfo StringContains =
        typeof(Enumerable).GetMethods().First(m => m.Name == "Contains" && m.GetParameters().Length == 2).MakeGenericMethod(typeof(string));

    private static readonly System.Reflection.MethodInfo StringCompare =
        typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!;

    private static readonly Dictionary<string, System.Reflection.MethodInfo> OrderingMethods =
        new[] { "OrderBy", "OrderByDescending", "ThenBy", "ThenByDescending" }
            .ToDictionary(n => n, n => typeof(Queryable).GetMethods().First(m => m.Name == n && m.GetParameters().Length == 2));

    public int? Limit { get; private init; }
    public string? Marker { get; private init; }
    public bool PageReverse { get; private init; }
    public IReadOnlyList<(string Key, bool Ascending)> Sort { get; private init; } = [];
    public FieldSet Fields { get; private init; } = FieldSet.All;
    public IReadOnlyDictionary<string, string> Filters { get; private init; } = new Dictionary<string, string>();
    public IReadOnlyList<string> TagsAll { get; private init; } = [];
    public IReadOnlyList<string> TagsAny { get; private init; } = [];
    public IReadOnlyList<string> NotTagsAll { get; private init; } = [];
    public IReadOnlyList<string> NotTagsAny { get; private init; } = [];
    private string? RawSort { get; init; }
    private string? RawSortKey { get; init; }
    private string? RawSortDir { get; init; }

    /// <summary>Reads the query string; sort keys and filters are checked later against the resource.</summary>
    public static ListQuery Parse(IQueryCollection query, ApiSettingsOptions settings)
    {
        int? max = settings.PaginationMaxLimit.Equals("infinite", StringComparison.OrdinalIgnoreCase)
            ? null
            : int.Parse(settings.PaginationMaxLimit, CultureInfo.InvariantCulture);
        int? limit = max;
        if (settings.AllowPagination && query.TryGetValue("limit", out var rawLimit))
        {
            var text = rawLimit.ToString();
            if (text.Equals("infinite", StringComparison.OrdinalIgnoreCase))
            {
                limit = null;
            }
            else if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
            {
                throw ApiException.BadRequest($"Supplied pagination limit '{text}' is not valid.");
            }
            else
            {
                limit = n <= 0 ? null : max is null ? n : Math.Min(n, max.Value);
            }
        }

        var sort = new List<(string, bool)>();
        string? rawSort = null, rawSortKey = null, rawSortDir = null;
        if (settings.AllowSorting)
        {
            if (query.TryGetValue("sort", out var s))
            {
                rawSort = s.ToString();
                foreach (var part in Split(s))
                {
                    var pieces = part.Split(':', 2);
                    sort.Add((pieces[0], ParseDirection(pieces.Length == 2 ? pieces[1] : "asc")));
                }
            }
            else if (query.TryGetValue("sort_key", out var keys))
            {
                rawSortKey = keys.ToString();
                var dirs = query.TryGetValue("sort_dir", out var d) ? Split(d) : [];
                rawSortDir = dirs.Count > 0 ? d.ToString() : null;
                var keyList = Split(keys);
                for (var i = 0; i < keyList.Count; i++)
                {
                    sort.Add((keyList[i], ParseDirection(i < dirs.Count ? dirs[i] : "asc")));
                }
            }
        }

        var filters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in query)
        {
            if (ReservedKeys.Contains(key))
            {
                continue;
            }

            if (!settings.AllowFiltering || value.Count != 1)
            {
                throw ApiException.BadRequest("One or more arguments are either duplicate or invalid");
            }

            filters[key] = value.ToString();
        }

        var marker = settings.AllowPagination && query.TryGetValue("marker", out var m) ? m.ToString() : null;
        return new ListQuery
        {
            Limit = limit,
            Marker = string.IsNullOrEmpty(marker) ? null : marker,
            PageReverse = query.TryGetValue("page_reverse", out var pr) && pr.ToString() == "True",
            Sort = sort,
            RawSort = rawSort,
            RawSortKey = rawSortKey,
            RawSortDir = rawSortDir,
            Fields = settings.AllowFieldSelection && query.TryGetValue("fields", out var f) ? new FieldSet(Split(f)) : FieldSet.All,
            Filters = filters,
            TagsAll = query.TryGetValue("tags", out var t1) ? Split(t1) : [],
            TagsAny = query.TryGetValue("tags-any", out var t2) ? Split(t2) : [],
            NotTagsAll = query.TryGetValue("not-tags", out var t3) ? Split(t3) : [],
            NotTagsAny = query.TryGetValue("not-tags-any", out var t4) ? Split(t4) : [],
        };
    }

    /// <summary>Reads <c>fields=</c> for a GET of one object.</summary>
    public static FieldSet ParseFields(IQueryCollection query, ApiSettingsOptions settings) =>
        settings.AllowFieldSelection && query.TryGetValue("fields", out var f) ? new FieldSet(Split(f)) : FieldSet.All;

    private static List<string> Split(StringValues values) =>
        values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();

    private static bool ParseDirection(string dir) => dir switch
    {
        "asc" => true,
        "desc" => false,
        _ => throw ApiException.BadRequest($"Supplied sort direction '{dir}' is not valid."),
    };

    /// <summary>Builds the <c>*_links</c> for a page (reference/api.md §4 "Links").</summary>
    public void WriteLinks(System.Text.Json.Utf8JsonWriter w, string linksKey, HttpRequest request, string? baseUri,
        string? firstId, string? lastId, int count)
    {
        w.WriteStartArray(linksKey);
        var path = (baseUri is { Length: > 0 } ? baseUri.TrimEnd('/') : $"{request.Scheme}://{request.Host}") + request.Path;
        if (Limit is int limit && count > 0)
        {
            var common = string.Create(CultureInfo.InvariantCulture, $"{path}?limit={limit}")
                + (RawSort is null ? "" : "&sort=" + Uri.EscapeDataString(RawSort))
                + (RawSortKey is null ? "" : "&sort_key=" + Uri.EscapeDataString(RawSortKey))
                + (RawSortDir is null ? "" : "&sort_dir=" + Uri.EscapeDataString(RawSortDir));
            if (Marker is not null)
            {
                WriteLink(w, common + "&marker=" + firstId + "&page_reverse=True", "previous");
            }

            if (count >= limit)
            {
                WriteLink(w, common + "&marker=" + lastId, "next");
            }
        }

        w.WriteEndArray();
    }

    private static void WriteLink(System.Text.Json.Utf8JsonWriter w, string href, string rel)
    {
        w.WriteStartObject();
        w.WriteString("href", href);
        w.WriteString("rel", rel);
        w.WriteEndObject();
    }

    /// <summary>
    /// Applies filters, tag filters and sort to <paramref name="source"/>; returns the ordered query and the
    /// sort it used (the requested keys plus created_at and id).
    /// </summary>
    public (IQueryable<T> Query, List<(PropertyInfo Property, bool Ascending)> Sort) Apply<T>(
        IQueryable<T> source, ResourceAttributes<T> attributes)
    {
        var parameter = Expression.Parameter(typeof(T), "x");
        foreach (var (key, raw) in Filters)
        {
            if (!attributes.Filterable.TryGetValue(key, out var property))
            {
                throw ApiException.BadRequest("One or more arguments are either duplicate or invalid");
            }

            var value = ConvertFilterValue(raw, property.PropertyType);
            var body = Expression.Equal(Expression.Property(parameter, property), Parameter(value, property.PropertyType));
            source = source.Where(Expression.Lambda<Func<T, bool>>(body, parameter));
        }

        if (attributes.Tags is { } tags)
        {
            source = ApplyTags(source, parameter, tags);
        }

        var sort = new List<(PropertyInfo, bool)>();
        foreach (var (key, ascending) in Sort)
        {
            if (!attributes.Sortable.TryGetValue(key, out var property))
            {
                throw ApiException.BadRequest($"Supplied sort key '{key}' is not valid.");
            }

            sort.Add((property, ascending));
        }

        foreach (var implicitKey in attributes.DefaultSort)
        {
            if (!sort.Any(s => s.Item1 == implicitKey))
            {
                sort.Add((implicitKey, true));
            }
        }

        return (source, sort);
    }

    private IQueryable<T> ApplyTags<T>(IQueryable<T> source, ParameterExpression parameter, PropertyInfo tagsProperty)
    {
        var contains = StringContains;
        Expression Has(string tag) => Expression.Call(contains, Expression.Property(parameter, tagsProperty), Parameter(tag, typeof(string)));
        Expression? Combine(IReadOnlyList<string> tags, Func<Expression, Expression, Expression> op) =>
            tags.Count == 0 ? null : tags.Select(Has).Aggregate(op);

        void Where(Expression? e)
        {
            if (e is not null)
            {
                source = source.Where(Expression.Lambda<Func<T, bool>>(e, parameter));
            }
        }

        Where(Combine(TagsAll, Expression.AndAlso));
        Where(Combine(TagsAny, Expression.OrElse));
        if (Combine(NotTagsAll, Expression.AndAlso) is { } notAll)
        {
            Where(Expression.Not(notAll));
        }

        if (Combine(NotTagsAny, Expression.OrElse) is { } notAny)
        {
            Where(Expression.Not(notAny));
        }

        return source;
    }

    /// <summary>
    /// Orders the query, restricts it to the rows after (or, with page_reverse, before) the marker row,
    /// and applies the limit. <paramref name="markerRow"/> is the marker object, already loaded.
    /// </summary>
    public IQueryable<T> Page<T>(IQueryable<T> source, List<(PropertyInfo Property, bool Ascending)> sort, T? markerRow)
    {
        var parameter = Expression.Parameter(typeof(T), "x");
        if (markerRow is not null)
        {
            Expression? predicate = null;
            for (var i = 0; i < sort.Count; i++)
            {
                Expression term = Compare(parameter, sort[i].Property, sort[i].Property.GetValue(markerRow), sort[i].Ascending != PageReverse);
                for (var j = i - 1; j >= 0; j--)
                {
                    var prev = Expression.Equal(Expression.Property(parameter, sort[j].Property),
                        Parameter(sort[j].Property.GetValue(markerRow), sort[j].Property.PropertyType));
                    term = Expression.AndAlso(prev, term);
                }

                predicate = predicate is null ? term : Expression.OrElse(predicate, term);
            }

            if (predicate is not null)
            {
                source = source.Where(Expression.Lambda<Func<T, bool>>(predicate, parameter));
            }
        }

        IOrderedQueryable<T>? ordered = null;
        foreach (var (property, ascending) in sort)
        {
            var asc = ascending != PageReverse;
            var key = Expression.Lambda(Expression.Property(parameter, property), parameter);
            var method = (ordered is null ? (asc ? "OrderBy" : "OrderByDescending") : (asc ? "ThenBy" : "ThenByDescending"));
            ordered = (IOrderedQueryable<T>)OrderingMethods[method]
                .MakeGenericMethod(typeof(T), property.PropertyType)
                .Invoke(null, [ordered ?? source, key])!;
        }

        source = ordered ?? source;
        return Limit is int limit ? source.Take(limit) : source;
    }

    private static Expression Compare(ParameterExpression parameter, PropertyInfo property, object? markerValue, bool greater)
    {
        var member = Expression.Property(parameter, property);
        var type = property.PropertyType;
        if (markerValue is null)
        {
            // Nulls sort first: every non-null value is "after" a null marker; nothing is "before" it.
            return greater ? Expression.NotEqual(member, Expression.Constant(null, type)) : Expression.Constant(false);
        }

        var constant = Parameter(markerValue, type);
        if (type == typeof(string))
        {
            var compare = Expression.Call(StringCompare, member, constant);
            return greater ? Expression.GreaterThan(compare, Expression.Constant(0)) : Expression.LessThan(compare, Expression.Constant(0));
        }

        if (type == typeof(bool) || type == typeof(bool?))
        {
            var marker = (bool)markerValue;
            return greater
                ? (marker ? Expression.Constant(false) : Expression.Equal(member, Expression.Constant(true, type)))
                : (marker ? Expression.Equal(member, Expression.Constant(false, type)) : Expression.Constant(false));
        }

        return greater ? Expression.GreaterThan(member, constant) : Expression.LessThan(member, constant);
    }

    /// <summary>
    /// A value as a query parameter rather than a constant: EF Core caches one compiled query per
    /// expression shape, so constants would compile (and cache) a new query for every filter value or marker.
    /// </summary>
    private static Expression Parameter(object? value, Type type)
    {
        var box = Activator.CreateInstance(typeof(System.Runtime.CompilerServices.StrongBox<>).MakeGenericType(type), value)!;
        return Expression.Field(Expression.Constant(box), "Value");
    }

    private static object? ConvertFilterValue(string raw, Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        try
        {
            if (underlying == typeof(string))
            {
                return raw;
            }

            if (underlying == typeof(bool))
            {
                return raw.ToLowerInvariant() switch
                {
                    "true" or "1" or "yes" or "on" or "y" or "t" => true,
                    "false" or "0" or "no" or "off" or "n" or "f" => false,
                    _ => throw new FormatException(),
                };
            }

            if (underlying == typeof(int))
            {
                return int.Parse(raw, CultureInfo.InvariantCulture);
            }

            if (underlying == typeof(double))
            {
                return double.Parse(raw, CultureInfo.InvariantCulture);
            }

            if (underlying == typeof(DateTime))
            {
                return DateTime.Parse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            }
        }
        catch (FormatException)
        {
        }
        catch (OverflowException)
        {
        }

        throw ApiException.BadRequest("One or more arguments are either duplicate or invalid");
    }
}
