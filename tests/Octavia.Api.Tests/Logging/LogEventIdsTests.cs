using System.Reflection;
using Microsoft.Extensions.Logging;
using Octavia.Core.Logging;

namespace Octavia.Api.Tests.Logging;

/// <summary>The registry of logging EventIds: no id twice, and every <c>[LoggerMessage]</c> of every Octavia assembly uses one of it.</summary>
public sealed class LogEventIdsTests
{
    private static Dictionary<string, int> Registry() => typeof(LogEventIds)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .ToDictionary(f => f.Name, f => (int)f.GetRawConstantValue()!);

    private static List<(string Method, int EventId)> LoggerMessages() => Directory
        .GetFiles(AppContext.BaseDirectory, "Octavia*.dll")
        .Where(p => !Path.GetFileName(p).Contains(".Tests", StringComparison.Ordinal))
        .Select(p => Assembly.LoadFrom(p))
        .SelectMany(a => a.GetTypes())
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
        .Select(m => (Method: $"{m.DeclaringType!.FullName}.{m.Name}", Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
        .Where(x => x.Attribute is not null)
        .Select(x => (x.Method, x.Attribute!.EventId))
        .ToList();

    [Fact]
    public void Registry_HasNoDuplicateIds()
    {
        var duplicates = Registry().GroupBy(e => e.Value).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => e.Key))}");
        Assert.Empty(duplicates);
    }

    [Fact]
    public void LoggerMessages_UseDistinctRegisteredIds()
    {
        var messages = LoggerMessages();
        Assert.True(messages.Count >= 50, $"found only {messages.Count} [LoggerMessage] methods");
        var registered = Registry().Values.ToHashSet();
        Assert.Empty(messages.Where(m => !registered.Contains(m.EventId)).Select(m => $"{m.Method} uses {m.EventId}, which is not in LogEventIds"));
        Assert.Empty(messages.GroupBy(m => m.EventId).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Method))}"));
    }
}
