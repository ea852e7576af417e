namespace Octavia.Api.Json;

/// <summary>A request attribute that may be absent, present as null, or present with a value.</summary>
public readonly record struct Opt<T>(bool Present, T Value)
{
    public static Opt<T> Absent => default;

    public T Or(T fallback) => Present ? Value : fallback;
}
