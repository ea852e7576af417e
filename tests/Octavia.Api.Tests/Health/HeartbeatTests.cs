using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Octavia.Api.Tests.Infrastructure;
using Octavia.Core.Configuration;
using Octavia.Core.Health;
using Octavia.Core.Model;
using Octavia.Core.Statuses;
using Octavia.Db;
using Octavia.Health;

namespace Octavia.Api.Tests.Health;

/// <summary>
/// The health manager of a real <c>octavia all</c> (no-op drivers, so amphorae are rows), fed real UDP
/// heartbeats on loopback: statuses by upstream's mapping, statistics, junk that changes nothing, and the
/// stale-amphora scan with its circuit breaker.
/// </summary>
public abstract class HeartbeatTests(OctaviaFixture fixture)
{
    private HttpClient Client => fixture.Client;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private HeartbeatMetrics Metrics => fixture.Services.GetRequiredService<HeartbeatMetrics>();

    private sealed record Graph(string LoadBalancer, string Listener, string Pool, string[] Members, string Amphora);

    /// <summary>A load balancer with one listener, its default pool and three members, the third administratively down.</summary>
    private async Task<Graph> CreateGraphAsync(string name)
    {
        var lb = await Client.CreateLoadBalancerAsync(name);
        var listener = await Client.CreateListenerAsync(lb);
        var pool = await Client.CreatePoolAsync(lb, listener);
        var members = new string[3];
        for (var i = 0; i < 3; i++)
        {
            members[i] = await Client.CreateChildAsync($"/v2/lbaas/pools/{pool}/members", "member",
                "{\"member\": {\"address\": \"192.0.2." + (10 + i) + "\", \"protocol_port\": 80, \"admin_state_up\": " + (i == 2 ? "false" : "true") + "}}", lb);
        }

        var amphora = await fixture.WithDbAsync(db => db.Amphorae.Where(a => a.LoadBalancerId == lb && a.Status == AmphoraStatus.Allocated)
            .Select(a => a.Id).SingleAsync(Ct));
        return new Graph(lb, listener, pool, members, amphora);
    }

    private static JsonObject Message(Graph g, long seq, string[] memberStates, long totconns = 0, long rx = 0, long tx = 0, long conns = 0,
        string listenerStatus = "OPEN", string poolStatus = "UP") => new()
        {
            ["id"] = g.Amphora,
            ["seq"] = seq,
            ["ver"] = 3,
            ["listeners"] = new JsonObject
            {
                [g.Listener] = new JsonObject
                {
                    ["status"] = listenerStatus,
                    ["stats"] = new JsonObject { ["tx"] = tx, ["rx"] = rx, ["conns"] = conns, ["totconns"] = totconns, ["ereq"] = 0 },
                },
            },
            ["pools"] = new JsonObject
            {
                [$"{g.Pool}:{g.Listener}"] = new JsonObject
                {
                    ["status"] = poolStatus,
                    ["members"] = new JsonObject(g.Members.Zip(memberStates).Select(p => KeyValuePair.Create(p.First, (JsonNode?)p.Second))),
                },
            },
        };

    private static byte[] Sign(JsonObject message, string key = OctaviaFixture.HeartbeatKey) =>
        HeartbeatCodec.Encode(Encoding.UTF8.GetBytes(message.ToJsonString()), key);

    private async Task<IPEndPoint> ReceiverAsync() => await fixture.Services.GetRequiredService<HeartbeatReceiver>().BoundEndPoint;

    /// <summary>Sends datagrams, then waits until the health manager has looked at all of them and written what it accepted.</summary>
    private async Task SendAsync(IEnumerable<byte[]> datagrams)
    {
        var target = await ReceiverAsync();
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        var sent = 0L;
        var start = Metrics.Received;
        foreach (var datagram in datagrams)
        {
            await udp.SendAsync(datagram, target, Ct);
            // Paced, so the kernel's receive buffer never overflows: every datagram must be counted.
            if (++sent % 100 == 0)
            {
                await WaitUntilAsync(() => Metrics.Received >= start + sent, () => $"received {Metrics.Received - start} of {sent}");
            }
        }

        // Every datagram received is also accepted or dropped (counted after it), and every accepted one written.
        await WaitUntilAsync(() => Metrics.Received >= start + sent && Metrics.Accepted + Metrics.DroppedTotal >= Metrics.Received
            && Metrics.Processed + Metrics.Failed >= Metrics.Accepted,
            () => $"received {Metrics.Received - start} of {sent}; {Metrics.Describe()}");
        Assert.Equal(0, Metrics.FailedBatches);
    }

    private Task SendAsync(params JsonObject[] messages) => SendAsync(messages.Select(m => Sign(m)));

    private static async Task WaitUntilAsync(Func<bool> condition, Func<string> state)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The health manager did not catch up within 30 s: " + state());
            await Task.Delay(10, Ct);
        }
    }

    private async Task<JsonNode> StatusTreeAsync(string lb) =>
        (await Client.ApiGetAsync($"/v2/lbaas/loadbalancers/{lb}/status")).Json["statuses"]!["loadbalancer"]!;

    private static string Op(JsonNode node) => node["operating_status"]!.GetValue<string>();

    [Fact]
    public async Task StatusTree_FollowsHeartbeats_ByUpstreamMapping()
    {
        var g = await CreateGraphAsync("hb-status");
        await SendAsync(Message(g, 1, ["UP", "DOWN", "MAINT"]));

        var tree = await StatusTreeAsync(g.LoadBalancer);
        var listener = tree["listeners"]![0]!;
        var pool = listener["pools"]![0]!;
        var members = pool["members"]!.AsArray().ToDictionary(m => m!["id"]!.GetValue<string>(), m => Op(m!));
        Assert.Equal("DEGRADED", Op(tree));
        Assert.Equal("ONLINE", Op(listener));
        Assert.Equal("DEGRADED", Op(pool));
        Assert.Equal("ONLINE", members[g.Members[0]]);
        Assert.Equal("ERROR", members[g.Members[1]]);
        Assert.Equal("OFFLINE", members[g.Members[2]]);

        // Recovery, then a pool without a monitor, then a dead pool and a full listener.
        await SendAsync(Message(g, 2, ["UP", "UP", "MAINT"]));
        tree = await StatusTreeAsync(g.LoadBalancer);
        Assert.Equal("ONLINE", Op(tree));
        Assert.Equal("ONLINE", Op(tree["listeners"]![0]!["pools"]![0]!));

        await SendAsync(Message(g, 3, ["no check", "no check", "MAINT"]));
        tree = await StatusTreeAsync(g.LoadBalancer);
        Assert.All(tree["listeners"]![0]!["pools"]![0]!["members"]!.AsArray().Take(2), m => Assert.Equal("NO_MONITOR", Op(m!)));

        await SendAsync(Message(g, 4, ["DOWN", "DOWN", "MAINT"], poolStatus: "DOWN", listenerStatus: "FULL"));
        tree = await StatusTreeAsync(g.LoadBalancer);
        Assert.Equal("ERROR", Op(tree));
        Assert.Equal("DEGRADED", Op(tree["listeners"]![0]!));
        Assert.Equal("ERROR", Op(tree["listeners"]![0]!["pools"]![0]!));

        // Provisioning statuses are never touched, and the amphora's health row exists with the last sequence number.
        Assert.Equal("ACTIVE", tree["provisioning_status"]!.GetValue<string>());
        var health = await fixture.WithDbAsync(db => db.AmphoraHealth.AsNoTracking().SingleAsync(h => h.AmphoraId == g.Amphora, Ct));
        Assert.Equal(4, health.Seq);
        Assert.False(health.Busy);
    }

    [Fact]
    public async Task ListenerCountMismatch_ChangesNoStatus_AndDoesNotRefreshHealth()
    {
        var g = await CreateGraphAsync("hb-missing");
        var message = Message(g, 1, ["UP", "UP", "MAINT"]);
        message["listeners"] = new JsonObject();
        var before = (await Client.ApiGetAsync($"/v2/lbaas/loadbalancers/{g.LoadBalancer}/status")).Raw;
        await SendAsync(message);

        // A count mismatch stops before any status is written (upstream: repeated mismatches end in a failover).
        Assert.Equal(before, (await Client.ApiGetAsync($"/v2/lbaas/loadbalancers/{g.LoadBalancer}/status")).Raw);
        Assert.False(await fixture.WithDbAsync(db => db.AmphoraHealth.AnyAsync(h => h.AmphoraId == g.Amphora, Ct)));
    }

    [Fact]
    public async Task Statistics_AddDeltas_AndKeepTheLatestActiveConnections()
    {
        var g = await CreateGraphAsync("hb-stats");
        await SendAsync(
            Message(g, 1, ["UP", "UP", "MAINT"], totconns: 10, rx: 1000, tx: 5000, conns: 3),
            Message(g, 2, ["UP", "UP", "MAINT"], totconns: 7, rx: 700, tx: 3500, conns: 2));
        await SendAsync(Message(g, 3, ["UP", "UP", "MAINT"], totconns: 1, rx: 100, tx: 500, conns: 1));

        var stats = (await Client.ApiGetAsync($"/v2/lbaas/listeners/{g.Listener}/stats")).Json["stats"]!;
        Assert.Equal(18, stats["total_connections"]!.GetValue<long>());
        Assert.Equal(1800, stats["bytes_in"]!.GetValue<long>());
        Assert.Equal(9000, stats["bytes_out"]!.GetValue<long>());
        Assert.Equal(1, stats["active_connections"]!.GetValue<long>());
        var lbStats = (await Client.ApiGetAsync($"/v2/lbaas/loadbalancers/{g.LoadBalancer}/stats")).Json["stats"]!;
        Assert.Equal(18, lbStats["total_connections"]!.GetValue<long>());
    }

    /// <summary>
    /// 100,000 datagrams that must not count: forged (wrong key), truncated, replayed, random, empty and
    /// oversized. The database is byte-for-byte what it was, every one is counted as dropped, nothing of
    /// them is remembered, and a valid heartbeat afterwards is still processed.
    /// </summary>
    [Fact]
    public async Task HundredThousandBadDatagrams_ChangeNothing_AndAreCounted()
    {
        var g = await CreateGraphAsync("hb-junk");
        var valid = Enumerable.Range(1, 20).Select(i => Sign(Message(g, i, ["UP", "DOWN", "MAINT"], totconns: 1, rx: 10, tx: 10))).ToList();
        await SendAsync(valid);
        var before = await SnapshotAsync(g);
        var droppedBefore = Metrics.DroppedTotal;
        var random = new Random(42);

        IEnumerable<byte[]> Junk()
        {
            for (var i = 0; i < 100_000; i++)
            {
                switch (i % 6)
                {
                    case 0: // forged: a well-formed heartbeat signed with another key, with a fresh sequence number
                        yield return Sign(Message(g, 1000 + i, ["DOWN", "DOWN", "DOWN"], totconns: 999), "not-the-key");
                        break;
                    case 1: // truncated valid datagram
                        var v = valid[random.Next(valid.Count)];
                        yield return v[..random.Next(0, v.Length - 1)];
                        break;
                    case 2: // replayed valid datagram
                        yield return valid[random.Next(valid.Count)];
                        break;
                    case 3: // random bytes
                        var bytes = new byte[random.Next(1, 1400)];
                        random.NextBytes(bytes);
                        yield return bytes;
                        break;
                    case 4: // a valid datagram with one byte flipped
                        var flipped = (byte[])valid[random.Next(valid.Count)].Clone();
                        flipped[random.Next(flipped.Length)] ^= (byte)(1 + random.Next(255));
                        yield return flipped;
                        break;
                    default: // large random datagram (every 600th) or a single byte
                        var size = i % 600 == 5 ? 60_000 : 1;
                        var junk = new byte[size];
                        random.NextBytes(junk);
                        yield return junk;
                        break;
                }
            }
        }

        var receiver = fixture.Services.GetRequiredService<HeartbeatReceiver>();
        var tracked = receiver.TrackedAmphorae;
        await SendAsync(Junk());

        Assert.Equal(100_000, Metrics.DroppedTotal - droppedBefore);
        Assert.True(Metrics.Dropped(HeartbeatDrop.Replayed) >= 100_000 / 6);
        Assert.True(Metrics.Dropped(HeartbeatDrop.BadSignature) >= 100_000 / 6);
        Assert.Equal(before, await SnapshotAsync(g));
        Assert.Equal(tracked, receiver.TrackedAmphorae); // nothing unauthenticated is remembered (bench/health measures RSS)

        // Still listening: the next real heartbeat lands.
        await SendAsync(Message(g, 21, ["UP", "UP", "MAINT"]));
        Assert.Equal("ONLINE", Op(await StatusTreeAsync(g.LoadBalancer)));
    }

    /// <summary>Everything a heartbeat could change, as one string.</summary>
    private async Task<string> SnapshotAsync(Graph g)
    {
        var tree = (await Client.ApiGetAsync($"/v2/lbaas/loadbalancers/{g.LoadBalancer}/status")).Raw;
        var stats = (await Client.ApiGetAsync($"/v2/lbaas/listeners/{g.Listener}/stats")).Raw;
        var rows = await fixture.WithDbAsync(async db => JsonSerializer.Serialize(new
        {
            health = await db.AmphoraHealth.AsNoTracking().OrderBy(h => h.AmphoraId).ToListAsync(Ct),
            stats = await db.ListenerStatistics.AsNoTracking().OrderBy(s => s.ListenerId).ThenBy(s => s.AmphoraId).ToListAsync(Ct),
            amphorae = await db.Amphorae.AsNoTracking().OrderBy(a => a.Id).ToListAsync(Ct),
        }));
        return tree + stats + rows;
    }

    [Fact]
    public async Task StaleAmphora_IsFailedOver_ThroughTheJobQueue()
    {
        var g = await CreateGraphAsync("hb-stale");
        await SendAsync(Message(g, 1, ["UP", "UP", "MAINT"]));
        await fixture.WithDbAsync(db => db.AmphoraHealth.Where(h => h.AmphoraId == g.Amphora)
            .ExecuteUpdateAsync(s => s.SetProperty(h => h.LastUpdate, DateTime.UtcNow.AddMinutes(-5)), Ct));

        var started = await Scanner(threshold: null).ScanAsync(Ct);

        Assert.Contains(g.Amphora, started);
        await Client.WaitForLoadBalancerAsync(g.LoadBalancer);
        var amphorae = await fixture.WithDbAsync(db => db.Amphorae.AsNoTracking().Where(a => a.LoadBalancerId == g.LoadBalancer).ToListAsync(Ct));
        Assert.Equal(AmphoraStatus.Deleted, amphorae.Single(a => a.Id == g.Amphora).Status);
        Assert.Single(amphorae, a => a.Status == AmphoraStatus.Allocated);
        Assert.False(await fixture.WithDbAsync(db => db.AmphoraHealth.AnyAsync(h => h.AmphoraId == g.Amphora, Ct)));
    }

    [Fact]
    public async Task ManyStaleAtOnce_TripTheCircuitBreaker_AndRecoverWhenTheyReport()
    {
        var graphs = new List<Graph>();
        for (var i = 0; i < 3; i++)
        {
            graphs.Add(await CreateGraphAsync($"hb-breaker-{i}"));
        }

        var ids = graphs.Select(g => g.Amphora).ToList();
        await fixture.WithDbAsync(db =>
        {
            db.AmphoraHealth.AddRange(ids.Select(id => new AmphoraHealth { AmphoraId = id, LastUpdate = DateTime.UtcNow.AddMinutes(-5) }));
            return Task.CompletedTask;
        });
        var jobsBefore = await fixture.WithDbAsync(db => db.Jobs.CountAsync(Ct));

        Assert.Empty(await Scanner(threshold: 2).ScanAsync(Ct));
        Assert.Empty(await Scanner(threshold: 2).ScanAsync(Ct));

        var statuses = await fixture.WithDbAsync(db => db.Amphorae.Where(a => ids.Contains(a.Id)).Select(a => a.Status).ToListAsync(Ct));
        Assert.All(statuses, s => Assert.Equal(AmphoraStatus.FailoverStopped, s));
        Assert.Equal(jobsBefore, await fixture.WithDbAsync(db => db.Jobs.CountAsync(Ct)));
        foreach (var g in graphs)
        {
            Assert.Equal("ACTIVE", (await Client.ApiGetAsync($"/v2/lbaas/loadbalancers/{g.LoadBalancer}")).Json["loadbalancer"]!["provisioning_status"]!.GetValue<string>());
        }

        // They report again: back in service at the next scan.
        await SendAsync(graphs.Select(g => Message(g, 1, ["UP", "UP", "MAINT"])).ToArray());
        Assert.Empty(await Scanner(threshold: 2).ScanAsync(Ct));
        statuses = await fixture.WithDbAsync(db => db.Amphorae.Where(a => ids.Contains(a.Id)).Select(a => a.Status).ToListAsync(Ct));
        Assert.All(statuses, s => Assert.Equal(AmphoraStatus.Allocated, s));
    }

    private StaleAmphoraScanner Scanner(int? threshold) => new(
        fixture.Services.GetRequiredService<IServiceScopeFactory>(),
        Options.Create(new HealthManagerOptions { HeartbeatTimeout = 60, HeartbeatInterval = 10, FailoverThreshold = threshold }),
        TimeProvider.System,
        NullLogger<StaleAmphoraScanner>.Instance);
}

public sealed class HeartbeatSqliteTests(SqliteFixture fixture) : HeartbeatTests(fixture), IClassFixture<SqliteFixture>;

public sealed class HeartbeatPostgresTests(PostgresFixture fixture) : HeartbeatTests(fixture), IClassFixture<PostgresFixture>;
