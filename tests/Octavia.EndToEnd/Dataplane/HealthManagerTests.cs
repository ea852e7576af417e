using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Octavia.EndToEnd.Dataplane;

/// <summary>
/// The cloud of <see cref="Dataplane"/> with fast heartbeats: every second, stale after 3 s, scanned every
/// 0.5 s, and a circuit breaker at two stale amphorae.
/// </summary>
public sealed class HealthDataplane : Dataplane
{
    public const int HeartbeatInterval = 1;

    protected override string ExtraConfig => $"""
        [health_manager]
        heartbeat_interval = {HeartbeatInterval}
        heartbeat_timeout = 3
        health_check_interval = 0.5
        failover_threshold = 2
        """;
}

[CollectionDefinition("health")]
public sealed class HealthCollection : ICollectionFixture<HealthDataplane>;

/// <summary>
/// Issue 4's acceptance with real amphorae and real UDP heartbeats: operating statuses in the status tree,
/// statistics through the VIP, failover of a killed amphora under load, and the circuit breaker.
/// </summary>
[Collection("health")]
public sealed class HealthManagerTests(HealthDataplane cloud)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>lb on public-subnet, an HTTP listener on :80, a ROUND_ROBIN pool, optionally an HTTP monitor, and members.</summary>
    private async Task<(string Lb, string Vip, string Listener, string Pool, List<string> Members)> LoadBalancerAsync(string name, bool monitor,
        params string[] members) => await LoadBalancerWithProtocolAsync(name, monitor, "HTTP", members);

    private async Task<(string Lb, string Vip, string Listener, string Pool, List<string> Members)> LoadBalancerWithProtocolAsync(string name, bool monitor,
        string protocol, params string[] members)
    {
        var created = await cloud.PostAsync("/v2/lbaas/loadbalancers", $$"""{"loadbalancer": {"name": "{{name}}", "vip_subnet_id": "{{cloud.PublicSubnetId}}"} }""");
        var lb = created["loadbalancer"]!["id"]!.GetValue<string>();
        var vip = created["loadbalancer"]!["vip_address"]!.GetValue<string>();
        await cloud.WaitForActiveAsync(lb);
        var listener = (await cloud.PostAsync("/v2/lbaas/listeners",
            $$"""{"listener": {"protocol": "{{protocol}}", "protocol_port": 80, "loadbalancer_id": "{{lb}}"} }"""))["listener"]!["id"]!.GetValue<string>();
        await cloud.WaitForActiveAsync(lb);
        var pool = (await cloud.PostAsync("/v2/lbaas/pools",
            $$"""{"pool": {"lb_algorithm": "ROUND_ROBIN", "protocol": "{{protocol}}", "listener_id": "{{listener}}"} }"""))["pool"]!["id"]!.GetValue<string>();
        await cloud.WaitForActiveAsync(lb);
        if (monitor)
        {
            await cloud.PostAsync("/v2/lbaas/healthmonitors",
                $$"""{"healthmonitor": {"pool_id": "{{pool}}", "type": "HTTP", "delay": 1, "timeout": 1, "max_retries": 1, "max_retries_down": 2, "url_path": "/healthcheck"} }""");
            await cloud.WaitForActiveAsync(lb);
        }

        var ids = new List<string>();
        foreach (var address in members)
        {
            ids.Add((await cloud.PostAsync($"/v2/lbaas/pools/{pool}/members",
                $$"""{"member": {"address": "{{address}}", "protocol_port": 80, "subnet_id": "{{cloud.PrivateSubnetId}}"} }"""))["member"]!["id"]!.GetValue<string>());
            await cloud.WaitForActiveAsync(lb);
        }

        return (lb, vip, listener, pool, ids);
    }

    /// <summary>Deletes what a test made, whatever state it got to (the names of load balancers are unique per test).</summary>
    private async Task CleanUpAsync(string lbName, params string[] servers)
    {
        foreach (var lb in (await cloud.GetAsync($"/v2/lbaas/loadbalancers?name={lbName}"))["loadbalancers"]!.AsArray())
        {
            var id = lb!["id"]!.GetValue<string>();
            await cloud.WaitForActiveAsync(id);
            await cloud.DeleteAsync($"/v2/lbaas/loadbalancers/{id}?cascade=true");
            await cloud.WaitForGoneAsync(id);
        }

        foreach (var address in servers)
        {
            await OctaviaProcess.RunAsync(cloud.ConfigFile, "server", "stop", address);
        }
    }

    private async Task<JsonNode> TreeAsync(string lb) => (await cloud.GetAsync($"/v2/lbaas/loadbalancers/{lb}/status"))["statuses"]!["loadbalancer"]!;

    private static string Op(JsonNode node) => node["operating_status"]!.GetValue<string>();

    /// <summary>Polls the status tree until <paramref name="condition"/> holds; returns how long that took.</summary>
    private async Task<TimeSpan> WaitForTreeAsync(string lb, Func<JsonNode, bool> condition, double seconds, string what)
    {
        var watch = Stopwatch.StartNew();
        JsonNode tree;
        while (!condition(tree = await TreeAsync(lb)))
        {
            Assert.True(watch.Elapsed.TotalSeconds < seconds, $"{what}: not reached in {seconds} s; tree {tree.ToJsonString()}\n{cloud.Output}");
            await Task.Delay(50, Ct);
        }

        return watch.Elapsed;
    }

    private static Dictionary<string, string> MemberStatuses(JsonNode tree) =>
        tree["listeners"]![0]!["pools"]![0]!["members"]!.AsArray().ToDictionary(m => m!["address"]!.GetValue<string>(), m => Op(m!));

    private static async Task KillServerAsync(string address)
    {
        var ns = "octavia-srv-" + string.Concat(address.Split('.').Select(b => int.Parse(b, CultureInfo.InvariantCulture).ToString("x2", CultureInfo.InvariantCulture)));
        foreach (var pid in (await Dataplane.RunAsync("ip", "netns", "pids", ns)).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Process.GetProcessById(int.Parse(pid, CultureInfo.InvariantCulture)).Kill();
        }
    }

    [Fact]
    public async Task MemberStatuses_FollowTheBackends_InTheStatusTree()
    {
        await cloud.ServerAsync("start", "--subnet", "private-subnet", "--address", "192.0.2.10");
        await cloud.ServerAsync("start", "--subnet", "private-subnet", "--address", "192.0.2.11");
        try
        {
            var (lb, _, listener, _, members) = await LoadBalancerAsync("health-status", monitor: true, "192.0.2.10", "192.0.2.11");
            await WaitForTreeAsync(lb, t => Op(t) == "ONLINE" && MemberStatuses(t).Values.All(s => s == "ONLINE"), 20, "all ONLINE");

            // Stopped backend: member ERROR, pool and load balancer DEGRADED within delay × max_retries_down + two heartbeats.
            await KillServerAsync("192.0.2.11");
            var bound = TimeSpan.FromSeconds((1 * 2) + (2 * HealthDataplane.HeartbeatInterval));
            var took = await WaitForTreeAsync(lb, t => MemberStatuses(t)["192.0.2.11"] == "ERROR" && Op(t["listeners"]![0]!["pools"]![0]!) == "DEGRADED"
                && Op(t) == "DEGRADED", 15, "member ERROR, pool and load balancer DEGRADED");
            Assert.True(took <= bound + TimeSpan.FromSeconds(0.5), $"DEGRADED after {took.TotalSeconds:F2} s; the bound is {bound.TotalSeconds} s");
            Assert.Equal("ONLINE", MemberStatuses(await TreeAsync(lb))["192.0.2.10"]);

            // Started again (the process, in the same place, as `systemctl start` would): everything ONLINE.
            using (Process.Start("ip", ["netns", "exec", "octavia-srv-c000020b", "dotnet", OctaviaProcess.OctaviaDll, "server", "serve",
                "--address", "192.0.2.11", "--port", "80"]))
            {
            }

            await WaitForTreeAsync(lb, t => Op(t) == "ONLINE" && MemberStatuses(t).Values.All(s => s == "ONLINE"), 15, "ONLINE again");

            // Administratively down: OFFLINE.
            await cloud.PutAsync($"/v2/lbaas/pools/{(await TreeAsync(lb))["listeners"]![0]!["pools"]![0]!["id"]}/members/{members[1]}",
                """{"member": {"admin_state_up": false}}""");
            await cloud.WaitForActiveAsync(lb);
            await WaitForTreeAsync(lb, t => MemberStatuses(t)["192.0.2.11"] == "OFFLINE", 10, "disabled member OFFLINE");

            // A pool without a monitor: its members are NO_MONITOR.
            var second = (await cloud.PostAsync("/v2/lbaas/listeners",
                $$"""{"listener": {"protocol": "HTTP", "protocol_port": 8080, "loadbalancer_id": "{{lb}}"} }"""))["listener"]!["id"]!.GetValue<string>();
            await cloud.WaitForActiveAsync(lb);
            var plain = (await cloud.PostAsync("/v2/lbaas/pools",
                $$"""{"pool": {"lb_algorithm": "ROUND_ROBIN", "protocol": "HTTP", "listener_id": "{{second}}"} }"""))["pool"]!["id"]!.GetValue<string>();
            await cloud.WaitForActiveAsync(lb);
            await cloud.PostAsync($"/v2/lbaas/pools/{plain}/members",
                $$"""{"member": {"address": "192.0.2.10", "protocol_port": 80, "subnet_id": "{{cloud.PrivateSubnetId}}"} }""");
            await cloud.WaitForActiveAsync(lb);
            await WaitForTreeAsync(lb, t => t["listeners"]!.AsArray().Any(l => l!["id"]!.GetValue<string>() == second
                && l["pools"]![0]!["members"]!.AsArray().All(m => Op(m!) == "NO_MONITOR")), 10, "members of a pool without monitor NO_MONITOR");
            Assert.NotNull(listener);
        }
        finally
        {
            await CleanUpAsync("health-status", "192.0.2.10", "192.0.2.11");
        }
    }

    /// <summary>One request on a new connection; returns the bytes sent and received, or null when it failed.</summary>
    private static async Task<(long Sent, long Received)?> RequestAsync(string vip, double timeoutSeconds = 2)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(vip, 80, timeout.Token);
            var request = Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: {vip}\r\nConnection: close\r\n\r\n");
            await socket.SendAsync(request, SocketFlags.None, timeout.Token);
            long received = 0;
            var buffer = new byte[4096];
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
            {
                received += read;
            }

            return received > 0 ? (request.Length, received) : null;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return null;
        }
    }

    private async Task<JsonNode> StatsAsync(string path) => (await cloud.GetAsync(path))["stats"]!;

    [Fact]
    public async Task Statistics_CountRequestsAndBytes_AndKeepTheirTotalsAcrossAnHaproxyReload()
    {
        await cloud.ServerAsync("start", "--subnet", "private-subnet", "--address", "192.0.2.10");
        // A TCP listener: HAProxy counts the bytes as they travel (an HTTP listener counts its re-encoded messages).
        try
        {
            var (lb, vip, listener, _, _) = await LoadBalancerWithProtocolAsync("health-stats", monitor: false, "TCP", "192.0.2.10");
            await WaitForTreeAsync(lb, t => Op(t) == "ONLINE", 20, "ONLINE");
            long requests = 0, sent = 0, received = 0;
            async Task SendAsync(int count)
            {
                for (var i = 0; i < count; i++)
                {
                    var result = await RequestAsync(vip);
                    Assert.True(result is not null, "A request through the VIP failed");
                    (requests, sent, received) = (requests + 1, sent + result.Value.Sent, received + result.Value.Received);
                }
            }

            async Task<JsonNode> SettledAsync(string path)
            {
                var watch = Stopwatch.StartNew();
                while (true)
                {
                    var stats = await StatsAsync(path);
                    if (stats["total_connections"]!.GetValue<long>() >= requests && stats["bytes_out"]!.GetValue<long>() >= received * 0.99)
                    {
                        return stats;
                    }

                    Assert.True(watch.Elapsed.TotalSeconds < 10, $"Statistics never reached {requests} requests: {stats.ToJsonString()}");
                    await Task.Delay(200, Ct);
                }
            }

            void AssertMatches(JsonNode stats)
            {
                Assert.Equal(requests, stats["total_connections"]!.GetValue<long>());
                Assert.InRange(stats["bytes_in"]!.GetValue<long>(), sent * 0.99, sent * 1.01);
                Assert.InRange(stats["bytes_out"]!.GetValue<long>(), received * 0.99, received * 1.01);
            }

            await SendAsync(200);
            AssertMatches(await SettledAsync($"/v2/lbaas/listeners/{listener}/stats"));
            AssertMatches(await SettledAsync($"/v2/lbaas/loadbalancers/{lb}/stats"));

            // What the real client shows once the API has them.
            AssertMatches(await cloud.Cli.JsonAsync("loadbalancer", "stats", "show", "health-stats", "-f", "json"));
            AssertMatches(await cloud.Cli.JsonAsync("loadbalancer", "listener", "stats", "show", listener, "-f", "json"));

            // A configuration change reloads HAProxy: its new worker counts from zero, the totals must not.
            await cloud.PutAsync($"/v2/lbaas/listeners/{listener}", """{"listener": {"connection_limit": 5000}}""");
            await cloud.WaitForActiveAsync(lb);
            await SendAsync(100);
            AssertMatches(await SettledAsync($"/v2/lbaas/listeners/{listener}/stats"));
            AssertMatches(await cloud.Cli.JsonAsync("loadbalancer", "listener", "stats", "show", listener, "-f", "json"));
            AssertMatches(await SettledAsync($"/v2/lbaas/loadbalancers/{lb}/stats"));
            AssertMatches(await cloud.Cli.JsonAsync("loadbalancer", "stats", "show", "health-stats", "-f", "json"));
        }
        finally
        {
            await CleanUpAsync("health-stats", "192.0.2.10");
        }
    }

    private async Task<JsonArray> AmphoraeAsync(string lb) => (await cloud.GetAsync($"/v2/octavia/amphorae?loadbalancer_id={lb}"))["amphorae"]!.AsArray();

    /// <summary>SIGKILL every process of the amphora's namespace, then delete the namespace.</summary>
    private static async Task KillAmphoraAsync(string computeId)
    {
        foreach (var pid in (await Dataplane.RunAsync("ip", "netns", "pids", computeId)).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            try
            {
                Process.GetProcessById(int.Parse(pid, CultureInfo.InvariantCulture)).Kill();
            }
            catch (ArgumentException)
            {
            }
        }

        await Dataplane.RunAsync("ip", "netns", "delete", computeId);
    }

    /// <summary>Requests through the VIP in a loop until cancelled; records when each failed and succeeded.</summary>
    private sealed class Load(string vip)
    {
        public List<(TimeSpan At, bool Ok)> Results { get; } = [];
        public Stopwatch Clock { get; } = Stopwatch.StartNew();

        public async Task RunAsync(CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                var ok = await RequestAsync(vip, 0.5) is not null;
                lock (Results)
                {
                    Results.Add((Clock.Elapsed, ok));
                }
            }
        }

        /// <summary>From <paramref name="since"/>, when requests started succeeding for good (the first success after the last failure).</summary>
        public TimeSpan RestoredAfter(TimeSpan since)
        {
            lock (Results)
            {
                var after = Results.Where(r => r.At >= since).ToList();
                var lastFailure = after.LastOrDefault(r => !r.Ok);
                return lastFailure == default ? TimeSpan.Zero : after.First(r => r.Ok && r.At > lastFailure.At).At - since;
            }
        }
    }

    [Fact]
    public async Task KilledAmphora_IsReplaced_AndTrafficFlowsAgainWithinFiveSeconds()
    {
        await cloud.ServerAsync("start", "--subnet", "private-subnet", "--address", "192.0.2.10");
        try
        {
            var (lb, vip, _, _, _) = await LoadBalancerAsync("health-failover", monitor: false, "192.0.2.10");
            await WaitForTreeAsync(lb, t => Op(t) == "ONLINE", 20, "ONLINE");
            var old = (await AmphoraeAsync(lb)).Single()!;
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            var load = new Load(vip);
            var running = load.RunAsync(stop.Token);
            await Task.Delay(500, Ct);

            var killedAt = load.Clock.Elapsed;
            await KillAmphoraAsync(old["compute_id"]!.GetValue<string>());
            var watch = Stopwatch.StartNew();
            while (load.Results.Count(r => r.At > killedAt && r.Ok) < 20 || load.Results.Last().Ok == false)
            {
                Assert.True(watch.Elapsed.TotalSeconds < 30, $"Traffic did not come back.\n{cloud.Output}");
                await Task.Delay(100, Ct);
            }

            await stop.CancelAsync();
            await running;
            var restored = load.RestoredAfter(killedAt);
            TestContext.Current.SendDiagnosticMessage($"Traffic restored {restored.TotalSeconds:F2} s after the kill");
            Assert.True(restored < TimeSpan.FromSeconds(5), $"Traffic restored {restored.TotalSeconds:F2} s after the kill\n{cloud.Output}");

            await cloud.WaitForActiveAsync(lb);
            var amphorae = await AmphoraeAsync(lb);
            Assert.Contains(amphorae, a => a!["id"]!.GetValue<string>() != old["id"]!.GetValue<string>() && a["status"]!.GetValue<string>() == "ALLOCATED");

            // The same through the real client: a load balancer failover replaces the amphora without losing traffic for long.
            var before = amphorae.Single(a => a!["status"]!.GetValue<string>() == "ALLOCATED")!["id"]!.GetValue<string>();
            using var stop2 = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            var load2 = new Load(vip);
            var running2 = load2.RunAsync(stop2.Token);
            await Task.Delay(300, Ct);
            var asked = load2.Clock.Elapsed;
            await cloud.Cli.RunAsync("loadbalancer", "failover", "--wait", "health-failover");
            await cloud.WaitForActiveAsync(lb);
            await Task.Delay(1000, Ct);
            await stop2.CancelAsync();
            await running2;
            var after = await AmphoraeAsync(lb);
            Assert.DoesNotContain(after, a => a!["id"]!.GetValue<string>() == before && a["status"]!.GetValue<string>() == "ALLOCATED");
            Assert.Single(after, a => a!["status"]!.GetValue<string>() == "ALLOCATED");
            // Measured from when the command started, so the client's own start-up (about a second of Python) is included.
            var outage = load2.RestoredAfter(asked);
            TestContext.Current.SendDiagnosticMessage($"openstack loadbalancer failover: longest outage ended {outage.TotalSeconds:F2} s after the command started");
            Assert.True(outage < TimeSpan.FromSeconds(5), $"openstack loadbalancer failover: traffic restored {outage.TotalSeconds:F2} s after the command started");
        }
        finally
        {
            await CleanUpAsync("health-failover", "192.0.2.10");
        }
    }

    [Fact]
    public async Task ThreeAmphoraeKilledAtOnce_TripTheCircuitBreaker_AndNoneIsRebuilt()
    {
        var lbs = new List<string>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var created = await cloud.PostAsync("/v2/lbaas/loadbalancers", $$"""{"loadbalancer": {"name": "breaker-{{i}}", "vip_subnet_id": "{{cloud.PublicSubnetId}}"} }""");
                lbs.Add(created["loadbalancer"]!["id"]!.GetValue<string>());
            }

            var amphorae = new List<JsonNode>();
            foreach (var lb in lbs)
            {
                await cloud.WaitForActiveAsync(lb);
                amphorae.Add((await AmphoraeAsync(lb)).Single()!);
            }

            // Every amphora has reported (its health row exists) before they die together.
            await Task.Delay(TimeSpan.FromSeconds(2 * HealthDataplane.HeartbeatInterval + 0.5), Ct);
            await Task.WhenAll(amphorae.Select(a => KillAmphoraAsync(a["compute_id"]!.GetValue<string>())));

            var watch = Stopwatch.StartNew();
            while (true)
            {
                var statuses = new List<string>();
                foreach (var lb in lbs)
                {
                    statuses.AddRange((await AmphoraeAsync(lb)).Select(a => a!["status"]!.GetValue<string>()));
                }

                if (statuses.Count == 3 && statuses.All(s => s == "FAILOVER_STOPPED"))
                {
                    break;
                }

                Assert.True(watch.Elapsed.TotalSeconds < 15, $"Amphorae are {string.Join(", ", statuses)}\n{cloud.Output}");
                await Task.Delay(200, Ct);
            }

            // And they stay so: nothing is rebuilt, the load balancers are not touched.
            await Task.Delay(TimeSpan.FromSeconds(4), Ct);
            foreach (var lb in lbs)
            {
                var list = await AmphoraeAsync(lb);
                Assert.Single(list);
                Assert.Equal("FAILOVER_STOPPED", list[0]!["status"]!.GetValue<string>());
                Assert.Equal("ACTIVE", (await cloud.GetAsync($"/v2/lbaas/loadbalancers/{lb}"))["loadbalancer"]!["provisioning_status"]!.GetValue<string>());
            }
        }
        finally
        {
            foreach (var lb in lbs)
            {
                await cloud.DeleteAsync($"/v2/lbaas/loadbalancers/{lb}?cascade=true");
            }

            foreach (var lb in lbs)
            {
                await cloud.WaitForGoneAsync(lb);
            }
        }
    }
}
