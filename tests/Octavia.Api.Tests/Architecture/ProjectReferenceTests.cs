using System.Xml.Linq;
using Octavia.Api.Tests.Infrastructure;
using Octavia.Health;
using Octavia.NetworkApi;

namespace Octavia.Api.Tests.Architecture;

/// <summary>
/// References between the projects under src/ run one way (issue 12): read from the .csproj files, so a new arrow
/// that breaks a rule fails here before it is built on, and checked again on the compiled assemblies.
/// </summary>
public sealed class ProjectReferenceTests
{
    /// <summary>Arrows that must not exist, directly or through other projects, and why.</summary>
    private static readonly (string From, string To, string Why)[] Forbidden =
    [
        ("Octavia.Health", "Octavia.Drivers", "the heartbeat key and bind address come through Core's IHeartbeatKeySource and IManagementNetworkAddress"),
        ("Octavia.NetworkApi", "Octavia.Api", "the plumbing both APIs share lives in Octavia.Http"),
        ("Octavia.Http", "Octavia.Api", "shared plumbing knows no API"),
        ("Octavia.Http", "Octavia.Db", "shared plumbing holds no state"),
        ("Octavia.Amphora", "Octavia.Db", "the agent runs inside an amphora, without the control plane's database"),
        ("Octavia.Amphora", "Octavia.Drivers", "the agent only applies what the controller's driver sends"),
    ];

    [Fact]
    public void SourceProjects_ReferenceEachOtherOneWay()
    {
        var graph = ReadGraph();
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join("\n",
            graph.OrderBy(p => p.Key, StringComparer.Ordinal).SelectMany(p => p.Value.Order(StringComparer.Ordinal).Select(to => $"{p.Key} -> {to}"))));

        var wrong = new List<string>();
        foreach (var (from, to, why) in Forbidden)
        {
            if (Reaches(graph, from, to) is { } path)
            {
                wrong.Add($"{string.Join(" -> ", path)}: not allowed ({why})");
            }
        }

        // Core is the bottom, the executable the top: nothing below may reach them the wrong way. The backend server
        // runs as a tenant's application and stands alone.
        wrong.AddRange(graph["Octavia.Core"].Select(to => $"Octavia.Core -> {to}: Core references no project"));
        wrong.AddRange(graph.GetValueOrDefault("Octavia.Servers", []).Select(to => $"Octavia.Servers -> {to}: the backend server references no project"));
        wrong.AddRange(graph.Where(p => p.Value.Contains("Octavia")).Select(p => $"{p.Key} -> Octavia: only tests reference the executable"));
        foreach (var project in graph.Keys)
        {
            if (graph[project].Any(to => Reaches(graph, to, project) is not null))
            {
                wrong.Add($"{project}: part of a reference cycle");
            }
        }

        Assert.True(wrong.Count == 0, "\n" + string.Join("\n", wrong));
    }

    [Fact]
    public void CompiledAssemblies_DoNotReferenceWhatTheirProjectsMayNot()
    {
        Assert.DoesNotContain("Octavia.Drivers", References(typeof(HeartbeatReceiver)));
        Assert.DoesNotContain("Octavia.Api", References(typeof(NeutronCaller)));
        Assert.Contains("Octavia.Http", References(typeof(NeutronCaller)));
    }

    private static IEnumerable<string?> References(Type type) => type.Assembly.GetReferencedAssemblies().Select(a => a.Name);

    /// <summary>Each project under src/ and the projects it references.</summary>
    private static Dictionary<string, HashSet<string>> ReadGraph()
    {
        var src = Path.Combine(RepositoryPaths.Root, "src");
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(src, "*.csproj", SearchOption.AllDirectories))
        {
            graph[Path.GetFileNameWithoutExtension(file)] = XDocument.Load(file).Descendants("ProjectReference")
                .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')))
                .ToHashSet(StringComparer.Ordinal);
        }

        Assert.Contains("Octavia.Core", graph.Keys);
        return graph;
    }

    /// <summary>A path of references from <paramref name="from"/> to <paramref name="to"/>, or null.</summary>
    private static List<string>? Reaches(Dictionary<string, HashSet<string>> graph, string from, string to)
    {
        var previous = new Dictionary<string, string>(StringComparer.Ordinal);
        var queue = new Queue<string>([from]);
        while (queue.TryDequeue(out var project))
        {
            foreach (var next in graph.GetValueOrDefault(project) ?? [])
            {
                if (next != from && previous.TryAdd(next, project))
                {
                    if (next == to)
                    {
                        var path = new List<string> { to };
                        for (var p = project; p != from; p = previous[p])
                        {
                            path.Insert(0, p);
                        }

                        path.Insert(0, from);
                        return path;
                    }

                    queue.Enqueue(next);
                }
            }
        }

        return null;
    }
}
