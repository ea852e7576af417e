using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Octavia.Amphora.Health;

namespace Octavia.Drivers.Tests.Amphora;

/// <summary>
/// From HAProxy's <c>show stat</c> to the version-3 heartbeat body (reference/health.md §3.2-§3.3), on a real
/// answer of HAProxy 2.6.12 (Golden/ShowStat-Haproxy-2.6.csv: one listener, a Prometheus frontend, a pool whose
/// members are DOWN, MAINT and without a check).
/// </summary>
public sealed class HeartbeatMessageTests
{
    private const string Listener = "6d1f2a6e-0000-4000-8000-000000000001";
    private const string Pool = "7a2b3c4d-0000-4000-8000-000000000002:" + Listener;

    [Fact]
    public void Parse_RealHaproxy26Answer_ReadsColumnsByName()
    {
        var rows = HaproxyStatsCsv.Parse(Sample());

        Assert.Equal(6, rows.Count);
        Assert.Equal(new HaproxyStatRow(Listener, "FRONTEND", HaproxyStatType.Frontend, "OPEN", 0, 50, 3, 246, 651, 0), rows[0]);
        Assert.Equal("prometheus-exporter-internal", rows[1].ProxyName);
        Assert.Equal(["DOWN", "MAINT", "no check", "UP"], rows.Skip(2).Select(r => r.Status));
        Assert.Equal([HaproxyStatType.Server, HaproxyStatType.Server, HaproxyStatType.Server, HaproxyStatType.Backend], rows.Skip(2).Select(r => r.Type));
        Assert.Equal("11111111-0000-4000-8000-000000000005", rows[4].ServiceName);
    }

    [Fact]
    public void Parse_QuotedCommaAndReorderedColumns_DoNotShiftValues_AndRowsCutShortAreSkipped()
    {
        var rows = HaproxyStatsCsv.Parse(""""
            # pxname,svname,check_desc,status,type,stot,bin
            px,srv1,"refused, twice ""really""",UP 1/3,2,7,100
            px,srv2,,DOWN,2
            px,BACKEND,,UP,1,9,200,
            broken line
            """");

        Assert.Equal(2, rows.Count);
        Assert.Equal(new HaproxyStatRow("px", "srv1", HaproxyStatType.Server, "UP 1/3", 0, 0, 7, 100, 0, 0), rows[0]);
        Assert.Equal(new HaproxyStatRow("px", "BACKEND", HaproxyStatType.Backend, "UP", 0, 0, 9, 200, 0, 0), rows[1]);
    }

    [Fact]
    public void Write_FirstHeartbeat_IsTheVersion3Shape_WithoutPrometheus()
    {
        var current = new Dictionary<string, ListenerCounters>();
        var json = Write(HaproxyStatsCsv.Parse(Sample()), new Dictionary<string, ListenerCounters>(), current, seq: 0);

        const string Expected = """{"id":"amp-1","seq":0,"ver":3,"listeners":{"L":{"status":"OPEN","stats":{"tx":651,"rx":246,"conns":0,"totconns":3,"ereq":0}}},"pools":{"P":{"status":"UP","members":{"11111111-0000-4000-8000-000000000003":"DOWN","11111111-0000-4000-8000-000000000004":"MAINT","11111111-0000-4000-8000-000000000005":"no check"}}}}""";
        Assert.Equal(Expected, json.Replace(Pool, "P", StringComparison.Ordinal).Replace(Listener, "L", StringComparison.Ordinal));
        Assert.Equal(new ListenerCounters(246, 651, 0, 3), Assert.Single(current).Value);
    }

    [Fact]
    public void Write_Deltas_SinceLastHeartbeat_AndCurrentValueAfterACounterReset()
    {
        HaproxyStatRow Frontend(long scur, long stot, long bin, long bout, long ereq) =>
            new(Listener, "FRONTEND", HaproxyStatType.Frontend, "OPEN", scur, 100, stot, bin, bout, ereq);
        var previous = new Dictionary<string, ListenerCounters> { [Listener] = new(1000, 5000, 2, 10), ["gone"] = new(1, 1, 1, 1) };

        var current = new Dictionary<string, ListenerCounters>();
        var stats = Stats(Write([Frontend(scur: 4, stot: 15, bin: 1500, bout: 5000, ereq: 3)], previous, current, seq: 1));
        Assert.Equal((0, 500, 4, 5, 1), stats);
        Assert.Equal([Listener], current.Keys);

        // HAProxy restarted: each counter below its last value is all new.
        stats = Stats(Write([Frontend(scur: 1, stot: 3, bin: 300, bout: 7000, ereq: 0)], previous, new Dictionary<string, ListenerCounters>(), seq: 2));
        Assert.Equal((2000, 300, 1, 3, 0), stats);
    }

    [Fact]
    public void Write_FrontendAtItsSessionLimit_IsFull_AndABackendWithoutWorkingServer_IsDown()
    {
        var json = Write(
        [
            new(Listener, "FRONTEND", HaproxyStatType.Frontend, "OPEN", 50, 50, 60, 0, 0, 0),
            new(Pool, "m1", HaproxyStatType.Server, "MAINT", 0, 0, 0, 0, 0, 0),
            new(Pool, "BACKEND", HaproxyStatType.Backend, "DOWN", 0, 0, 0, 0, 0, 0),
            new("p2:" + Listener, "BACKEND", HaproxyStatType.Backend, "UP", 0, 0, 0, 0, 0, 0),
        ], new Dictionary<string, ListenerCounters>(), new Dictionary<string, ListenerCounters>(), seq: 0);

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal("FULL", root.GetProperty("listeners").GetProperty(Listener).GetProperty("status").GetString());
        Assert.Equal("DOWN", root.GetProperty("pools").GetProperty(Pool).GetProperty("status").GetString());
        Assert.Equal("MAINT", root.GetProperty("pools").GetProperty(Pool).GetProperty("members").GetProperty("m1").GetString());
        // A pool without members is UP, as HAProxy says, with an empty member list.
        Assert.Equal("""{"status":"UP","members":{}}""", root.GetProperty("pools").GetProperty("p2:" + Listener).GetRawText());
    }

    [Fact]
    public void ControllerAddressList_ReadsIpv4AndBracketedIpv6_AndRejectsTheRest()
    {
        var receivers = ControllerAddressList.Parse(" 198.51.100.1:5555, [2001:db8::1]:5556,,localhost:5555, 10.0.0.1, 203.0.113.9:0,2001:db8::2:5557", out var rejected);

        Assert.Equal(["198.51.100.1:5555", "[2001:db8::1]:5556", "[2001:db8::2]:5557"], receivers.Select(r => r.ToString()));
        Assert.Equal(["localhost:5555", "10.0.0.1", "203.0.113.9:0"], rejected);
        Assert.Empty(ControllerAddressList.Parse("", out _));
    }

    [Fact]
    public void StatsCountersFile_RoundTrips_AndACorruptFileThrows()
    {
        var path = Path.Combine(Path.GetTempPath(), "octavia-counters-" + Guid.NewGuid().ToString("N")[..12] + ".json");
        try
        {
            Assert.Empty(StatsCountersFile.Read(path));
            var counters = new Dictionary<string, ListenerCounters> { [Listener] = new(1, 2, 3, 4), ["b"] = new(long.MaxValue, 0, 0, 0) };
            StatsCountersFile.Write(path, counters);
            Assert.Equal(counters, StatsCountersFile.Read(path));
            Assert.StartsWith("""{"6d1f2a6e-0000-4000-8000-000000000001":{"bin":1,"bout":2,"ereq":3,"stot":4}""", File.ReadAllText(path), StringComparison.Ordinal);

            File.WriteAllText(path, "{\"x\": ");
            Assert.ThrowsAny<JsonException>(() => StatsCountersFile.Read(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Sample([CallerFilePath] string source = "") =>
        File.ReadAllText(Path.Combine(Path.GetDirectoryName(source)!, "Golden", "ShowStat-Haproxy-2.6.csv"));

    private static string Write(IReadOnlyList<HaproxyStatRow> rows, Dictionary<string, ListenerCounters> previous,
        Dictionary<string, ListenerCounters> current, long seq)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            HeartbeatMessage.Write(json, "amp-1", seq, rows, previous, current);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static (long Tx, long Rx, long Conns, long TotalConns, long RequestErrors) Stats(string json)
    {
        using var document = JsonDocument.Parse(json);
        var stats = document.RootElement.GetProperty("listeners").GetProperty(Listener).GetProperty("stats");
        return (stats.GetProperty("tx").GetInt64(), stats.GetProperty("rx").GetInt64(), stats.GetProperty("conns").GetInt64(),
            stats.GetProperty("totconns").GetInt64(), stats.GetProperty("ereq").GetInt64());
    }
}
