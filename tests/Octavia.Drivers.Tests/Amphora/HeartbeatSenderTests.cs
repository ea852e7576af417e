using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Octavia.Amphora.Health;
using Octavia.Core.Logging;
using Octavia.Core.Model;

namespace Octavia.Drivers.Tests.Amphora;

/// <summary>
/// The amphora's heartbeat sender (reference/health.md §2-§3) against a real HAProxy serving a rendered
/// configuration and real members, with UDP receivers on loopback: what the message says, how its stats add up
/// across HAProxy and agent restarts, and where it goes.
/// </summary>
public sealed class HeartbeatSenderTests
{
    [Fact]
    public async Task Heartbeat_IsVersion3_WithTheListener_ThePool_AndMembersUpDownAndMaint()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bed = new HeartbeatTestBed();
        var down = Guid.NewGuid().ToString();
        var maint = Guid.NewGuid().ToString();
        var closedPort = ClosedPort();
        await bed.StartLoadBalancerAsync(lb =>
        {
            var pool = lb.Pools[0];
            pool.HealthMonitor = TestModels.Monitor("TCP", delay: 1, timeout: 1, rise: 1, fall: 1);
            var up = pool.Members[0];
            pool.Members.Add(TestModels.Member(pool, down, "127.0.0.1", closedPort, up.CreatedAt.AddSeconds(1)));
            pool.Members.Add(TestModels.Member(pool, maint, up.Address, up.ProtocolPort, up.CreatedAt.AddSeconds(2)));
            pool.Members[^1].Enabled = false;
        }, ct);
        var receiver = bed.NewReceiver(IPAddress.Loopback);
        var sender = bed.NewSender(HeartbeatTestBed.AddressOf(receiver));
        var lb = bed.LoadBalancer;

        // The health checks run every second: heartbeats go until the first checks have judged both checked members.
        var seq = 0;
        var giveUpAt = TimeProvider.System.GetUtcNow() + HeartbeatTestBed.Patience;
        while (true)
        {
            using var heartbeat = await HeartbeatTestBed.HeartbeatAsync(sender, receiver, ct);
            var root = heartbeat.RootElement;
            Assert.Equal(seq++, root.GetProperty("seq").GetInt64());
            var members = root.GetProperty("pools").GetProperty($"{lb.PoolId}:{lb.ListenerId}").GetProperty("members");
            var statuses = members.EnumerateObject().ToDictionary(m => m.Name, m => m.Value.GetString());
            if (statuses[lb.MemberId] == "UP" && statuses[down] == "DOWN")
            {
                Assert.Equal(["id", "seq", "ver", "listeners", "pools"], root.EnumerateObject().Select(p => p.Name));
                Assert.Equal(bed.AmphoraId, root.GetProperty("id").GetString());
                Assert.Equal(3, root.GetProperty("ver").GetInt32());
                var listener = Assert.Single(root.GetProperty("listeners").EnumerateObject());
                Assert.Equal(lb.ListenerId, listener.Name);
                Assert.Equal("OPEN", listener.Value.GetProperty("status").GetString());
                Assert.Equal(["tx", "rx", "conns", "totconns", "ereq"], listener.Value.GetProperty("stats").EnumerateObject().Select(p => p.Name));
                var pool = Assert.Single(root.GetProperty("pools").EnumerateObject());
                Assert.Equal("UP", pool.Value.GetProperty("status").GetString());
                Assert.Equal(new Dictionary<string, string?> { [lb.MemberId] = "UP", [down] = "DOWN", [maint] = "MAINT" }, statuses);
                return;
            }

            Assert.True(TimeProvider.System.GetUtcNow() < giveUpAt, "members not judged by HAProxy's checks: " + members.GetRawText());
            await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
        }
    }

    [Fact]
    public async Task Listener_AtItsConnectionLimit_IsFull_ThenOpenAgain()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bed = new HeartbeatTestBed();
        await bed.StartLoadBalancerAsync(lb => lb.Listeners[0].ConnectionLimit = 1, ct);
        var receiver = bed.NewReceiver(IPAddress.Loopback);
        var sender = bed.NewSender(HeartbeatTestBed.AddressOf(receiver));

        using (var idle = new TcpClient())
        {
            await idle.ConnectAsync(bed.LoadBalancer.Vip, ct);
            Assert.Equal(("FULL", 1), await ListenerStatusWhenAsync(bed, sender, receiver, conns => conns == 1, ct));
        }

        Assert.Equal(("OPEN", 0), await ListenerStatusWhenAsync(bed, sender, receiver, conns => conns == 0, ct));
    }

    [Fact]
    public async Task Deltas_AddUpToHaproxysCounters_AndKeepGrowingAcrossAHaproxyRestart()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bed = new HeartbeatTestBed();
        await bed.StartLoadBalancerAsync(null, ct);
        var receiver = bed.NewReceiver(IPAddress.Loopback);
        var sender = bed.NewSender(HeartbeatTestBed.AddressOf(receiver));
        var sum = new Stats(0, 0, 0, 0, 0);

        sum += await ListenerStatsAsync(bed, sender, receiver, ct);
        await RequestsAsync(bed, 5, ct);
        var before = await bed.SettledFrontendCountersAsync(ct);
        sum += await ListenerStatsAsync(bed, sender, receiver, ct);
        Assert.Equal(5, before.SessionsTotal);
        Assert.Equal((5L, before.BytesIn, before.BytesOut), (sum.TotalConns, sum.Rx, sum.Tx));

        // The new HAProxy counts from zero; fewer requests than before make every counter go down.
        await bed.RestartHaproxyAsync(ct);
        await RequestsAsync(bed, 2, ct);
        var after = await bed.SettledFrontendCountersAsync(ct);
        var delta = await ListenerStatsAsync(bed, sender, receiver, ct);
        Assert.True(delta.Tx >= 0 && delta.Rx >= 0 && delta.TotalConns >= 0 && delta.RequestErrors >= 0, delta.ToString());
        sum += delta;
        Assert.Equal((7L, before.BytesIn + after.BytesIn, before.BytesOut + after.BytesOut), (sum.TotalConns, sum.Rx, sum.Tx));

        // Nothing new: nothing more.
        Assert.Equal(new Stats(0, 0, 0, 0, 0), await ListenerStatsAsync(bed, sender, receiver, ct));
    }

    [Fact]
    public async Task NewSender_AfterAnAgentRestart_ContinuesFromTheCountersFile_AndTheSequenceNumber()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bed = new HeartbeatTestBed();
        await bed.StartLoadBalancerAsync(null, ct);
        var receiver = bed.NewReceiver(IPAddress.Loopback);

        var first = bed.NewSender(HeartbeatTestBed.AddressOf(receiver));
        await RequestsAsync(bed, 3, ct);
        var before = await bed.SettledFrontendCountersAsync(ct);
        Assert.Equal(3, (await ListenerStatsAsync(bed, first, receiver, ct)).TotalConns);
        first.Dispose();
        Assert.True(File.Exists(bed.CountersFile));

        await RequestsAsync(bed, 2, ct);
        var after = await bed.SettledFrontendCountersAsync(ct);
        var second = bed.NewSender(HeartbeatTestBed.AddressOf(receiver));
        using var heartbeat = await HeartbeatTestBed.HeartbeatAsync(second, receiver, ct);
        // Numbering goes on from the first sender's: the health manager refuses a sequence number it has seen.
        Assert.True(heartbeat.RootElement.GetProperty("seq").GetInt64() >= 1);
        var stats = StatsOf(heartbeat, bed.LoadBalancer.ListenerId);
        Assert.Equal((2L, after.BytesIn - before.BytesIn, after.BytesOut - before.BytesOut), (stats.TotalConns, stats.Rx, stats.Tx));
    }

    [Fact]
    public async Task Receivers_TakeTurns_OneHeartbeatEach_OverIpv4AndIpv6()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bed = new HeartbeatTestBed();
        var v4 = bed.NewReceiver(IPAddress.Loopback);
        var v6 = bed.NewReceiver(IPAddress.IPv6Loopback);
        var sender = bed.NewSender($"{HeartbeatTestBed.AddressOf(v4)}, {HeartbeatTestBed.AddressOf(v6)}");

        var sentTo = new List<EndPoint?>();
        for (var i = 0; i < 4; i++)
        {
            sentTo.Add(await sender.SendHeartbeatAsync(ct));
        }

        Assert.Equal([v4.LocalEndPoint, v6.LocalEndPoint, v4.LocalEndPoint, v6.LocalEndPoint], sentTo);
        foreach (var (receiver, expected) in new[] { (v4, new long[] { 0, 2 }), (v6, [1, 3]) })
        {
            foreach (var seq in expected)
            {
                using var heartbeat = await HeartbeatTestBed.ReceiveAsync(receiver, ct);
                Assert.Equal(seq, heartbeat.RootElement.GetProperty("seq").GetInt64());
                Assert.Equal("{}", heartbeat.RootElement.GetProperty("listeners").GetRawText());
                Assert.Equal("{}", heartbeat.RootElement.GetProperty("pools").GetRawText());
            }

            Assert.Equal(0, receiver.Available);
        }
    }

    [Fact]
    public async Task EmptyOrUnusableList_SendsNothing_LogsOnce_AndWritesNoCounters()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bed = new HeartbeatTestBed();
        var log = new RecordingLogger();
        var sender = bed.NewSender("", log);

        Assert.Null(await sender.SendHeartbeatAsync(ct));
        Assert.Null(await sender.SendHeartbeatAsync(ct));
        Assert.Equal([LogEventIds.HeartbeatSenderNoReceiver], log.EventIds);

        var unusable = bed.NewSender(" , localhost:5555", log);
        Assert.Null(await unusable.SendHeartbeatAsync(ct));
        Assert.Equal([LogEventIds.HeartbeatSenderNoReceiver, LogEventIds.HeartbeatSenderBadReceiver, LogEventIds.HeartbeatSenderNoReceiver], log.EventIds);
        Assert.False(File.Exists(bed.CountersFile));
    }

    [Fact]
    public async Task Agent_SendsHeartbeatsOnItsOwn_ToItsConfiguredReceiver()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bed = new HeartbeatTestBed();
        var receiver = bed.NewReceiver(IPAddress.Loopback);
        await using var agent = await AgentTestHost.StartAsync(ct, new Dictionary<string, string?>
        {
            ["health_manager:controller_ip_port_list"] = HeartbeatTestBed.AddressOf(receiver),
            ["health_manager:heartbeat_key"] = HeartbeatTestBed.Key,
            ["health_manager:heartbeat_interval"] = "0.1",
        });

        for (var seq = 0; seq < 3; seq++)
        {
            using var heartbeat = await HeartbeatTestBed.ReceiveAsync(receiver, ct);
            Assert.Equal(agent.AmphoraId, heartbeat.RootElement.GetProperty("id").GetString());
            Assert.Equal(seq, heartbeat.RootElement.GetProperty("seq").GetInt64());
        }

        await agent.StopAgentAsync();
    }

    private readonly record struct Stats(long Tx, long Rx, long Conns, long TotalConns, long RequestErrors)
    {
        public static Stats operator +(Stats a, Stats b) =>
            new(a.Tx + b.Tx, a.Rx + b.Rx, b.Conns, a.TotalConns + b.TotalConns, a.RequestErrors + b.RequestErrors);
    }

    private static async Task<Stats> ListenerStatsAsync(HeartbeatTestBed bed, HeartbeatSender sender, Socket receiver,
        CancellationToken cancellationToken)
    {
        using var heartbeat = await HeartbeatTestBed.HeartbeatAsync(sender, receiver, cancellationToken);
        return StatsOf(heartbeat, bed.LoadBalancer.ListenerId);
    }

    private static Stats StatsOf(JsonDocument heartbeat, string listenerId)
    {
        var stats = heartbeat.RootElement.GetProperty("listeners").GetProperty(listenerId).GetProperty("stats");
        return new Stats(stats.GetProperty("tx").GetInt64(), stats.GetProperty("rx").GetInt64(), stats.GetProperty("conns").GetInt64(),
            stats.GetProperty("totconns").GetInt64(), stats.GetProperty("ereq").GetInt64());
    }

    /// <summary>Heartbeats until the listener's <c>conns</c> satisfies <paramref name="until"/>; its status and conns then.</summary>
    private static async Task<(string?, long)> ListenerStatusWhenAsync(HeartbeatTestBed bed, HeartbeatSender sender, Socket receiver,
        Func<long, bool> until, CancellationToken cancellationToken)
    {
        var giveUpAt = TimeProvider.System.GetUtcNow() + HeartbeatTestBed.Patience;
        while (true)
        {
            using var heartbeat = await HeartbeatTestBed.HeartbeatAsync(sender, receiver, cancellationToken);
            var listener = heartbeat.RootElement.GetProperty("listeners").GetProperty(bed.LoadBalancer.ListenerId);
            var conns = listener.GetProperty("stats").GetProperty("conns").GetInt64();
            if (until(conns))
            {
                return (listener.GetProperty("status").GetString(), conns);
            }

            Assert.True(TimeProvider.System.GetUtcNow() < giveUpAt, "listener never reached the expected sessions: " + listener.GetRawText());
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }

    /// <summary><paramref name="count"/> GETs through HAProxy, each on a connection of its own.</summary>
    private static async Task RequestsAsync(HeartbeatTestBed bed, int count, CancellationToken cancellationToken)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.Equal("ok", await bed.LoadBalancer.GetAsync(cancellationToken));
        }
    }

    /// <summary>A loopback port nothing listens on (taken, then given back).</summary>
    private static int ClosedPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>The event ids logged, in order.</summary>
    private sealed class RecordingLogger : ILogger<HeartbeatSender>
    {
        public List<int> EventIds { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (EventIds)
            {
                EventIds.Add(eventId.Id);
            }
        }
    }
}
