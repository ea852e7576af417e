using System.Diagnostics;

namespace Octavia.EndToEnd.Dataplane;

/// <summary>A cloud of its own for the spare pool: its amphorae must not mix with other tests' ones.</summary>
public sealed class SparePoolCloud : Dataplane;

/// <summary>
/// Spare amphorae with real amphorae (reference/controller.md §4): with <c>spare_amphora_pool_size = 2</c>,
/// housekeeping keeps two READY amphorae booted; a load balancer create takes one and only plugs its VIP,
/// so POST → ACTIVE is several times faster than booting an amphora; the pool refills. A spare whose agent
/// died is not used but deleted.
/// </summary>
public sealed class SparePoolTests(SparePoolCloud cloud) : IClassFixture<SparePoolCloud>
{
    private const int Creates = 5;

    private async Task<List<string>> AmphoraeAsync(string status) =>
        (await cloud.GetAsync($"/v2/octavia/amphorae?status={status}"))["amphorae"]!.AsArray()
            .Where(a => a!["loadbalancer_id"] is null).Select(a => a!["id"]!.GetValue<string>()).ToList();

    /// <summary>Waits until the pool holds two READY spares and builds none (so that a measurement runs alone).</summary>
    private async Task<List<string>> WaitForFullPoolAsync(double seconds)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var ready = await AmphoraeAsync("READY");
            if (ready.Count >= 2 && (await AmphoraeAsync("PENDING_CREATE")).Count == 0 && (await AmphoraeAsync("BOOTING")).Count == 0)
            {
                return ready;
            }

            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(seconds), $"The pool holds {ready.Count} READY spares after {watch.Elapsed}.\n{cloud.Output}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>POST of a load balancer until it is ACTIVE: how long it took, and its amphora.</summary>
    private async Task<(TimeSpan Elapsed, string LoadBalancerId, string AmphoraId)> CreateAsync(string name)
    {
        var watch = Stopwatch.StartNew();
        var created = await cloud.PostAsync("/v2/lbaas/loadbalancers", $$"""{"loadbalancer": {"name": "{{name}}", "vip_subnet_id": "{{cloud.PublicSubnetId}}"} }""");
        var lbId = created["loadbalancer"]!["id"]!.GetValue<string>();
        await cloud.WaitForActiveAsync(lbId);
        var elapsed = watch.Elapsed;
        var amphora = (await cloud.GetAsync($"/v2/octavia/amphorae?loadbalancer_id={lbId}"))["amphorae"]!.AsArray().Single()!;
        Assert.Equal("ALLOCATED", amphora["status"]!.GetValue<string>());
        return (elapsed, lbId, amphora["id"]!.GetValue<string>());
    }

    private async Task DeleteAsync(string lbId)
    {
        await cloud.DeleteAsync($"/v2/lbaas/loadbalancers/{lbId}?cascade=true");
        await cloud.WaitForGoneAsync(lbId);
    }

    private const string PoolConfig = """
        [house_keeping]
        spare_amphora_pool_size = 2
        """;

    [Fact]
    public async Task SpareWhoseAgentDied_IsNotUsed_ItIsDeleted_AndTheLoadBalancerGetsTheOther()
    {
        await cloud.RestartAsync(PoolConfig);
        await WaitForFullPoolAsync(90);

        // The spare a flow would take first (the oldest) loses its agent.
        var oldest = (await cloud.GetAsync("/v2/octavia/amphorae?status=READY&sort=created_at:asc"))["amphorae"]!.AsArray()
            .First(a => a!["loadbalancer_id"] is null)!;
        var deadId = oldest["id"]!.GetValue<string>();
        var deadNamespace = oldest["compute_id"]!.GetValue<string>();
        foreach (var pid in (await Dataplane.RunAsync("ip", "netns", "pids", deadNamespace)).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Process.GetProcessById(int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture)).Kill();
        }

        var (elapsed, lbId, amphoraId) = await CreateAsync("after-a-dead-spare");
        Assert.NotEqual(deadId, amphoraId);
        Assert.Contains($"Spare amphora {deadId} did not answer", cloud.Output, StringComparison.Ordinal);
        TestContext.Current.SendDiagnosticMessage($"POST → ACTIVE past a dead spare (it has 5 s to answer): {elapsed.TotalMilliseconds:F0} ms");

        // The dead spare is deleted (compute instance and row), not left READY for the next flow to try.
        var watch = Stopwatch.StartNew();
        while ((await cloud.Api.GetAsync($"/v2/octavia/amphorae/{deadId}", TestContext.Current.CancellationToken)).StatusCode != System.Net.HttpStatusCode.NotFound)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"The dead spare {deadId} is still there.\n{cloud.Output}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.DoesNotContain(deadNamespace, await Dataplane.RunAsync("ip", "netns", "list"), StringComparison.Ordinal);
        await DeleteAsync(lbId);
        await WaitForFullPoolAsync(30);
    }

    /// <summary>An amphora that was a spare serves: a listener with a member added to its load balancer answers through the VIP.</summary>
    private async Task ServesAsync(string lbId)
    {
        await cloud.ServerAsync("start", "--subnet", "private-subnet", "--address", "192.0.2.70");
        try
        {
            var listener = await cloud.PostAsync("/v2/lbaas/listeners", $$"""{"listener": {"protocol": "HTTP", "protocol_port": 80, "loadbalancer_id": "{{lbId}}"} }""");
            await cloud.WaitForActiveAsync(lbId);
            var pool = await cloud.PostAsync("/v2/lbaas/pools",
                $$"""{"pool": {"protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "listener_id": "{{listener["listener"]!["id"]}}"} }""");
            await cloud.WaitForActiveAsync(lbId);
            await cloud.PostAsync($"/v2/lbaas/pools/{pool["pool"]!["id"]}/members",
                $$"""{"member": {"address": "192.0.2.70", "protocol_port": 80, "subnet_id": "{{cloud.PrivateSubnetId}}"} }""");
            await cloud.WaitForActiveAsync(lbId);
            var vip = (await cloud.GetAsync($"/v2/lbaas/loadbalancers/{lbId}"))["loadbalancer"]!["vip_address"]!.GetValue<string>();
            var watch = Stopwatch.StartNew();
            while (!(await Traffic.CountAsync($"http://{vip}/", 1)).ContainsKey("192.0.2.70:80"))
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), "The load balancer built from a spare never served.\n" + cloud.Output);
            }

            Assert.Equal(5, (await Traffic.CountAsync($"http://{vip}/", 5)).GetValueOrDefault("192.0.2.70:80"));
        }
        finally
        {
            await cloud.ServerAsync("stop", "192.0.2.70");
        }
    }

    private static double Median(List<TimeSpan> values) => values.Select(v => v.TotalMilliseconds).Order().ElementAt(values.Count / 2);

    [Fact]
    public async Task PostToActive_TakesASpare_AtLeastThreeTimesFasterThanCold_AndThePoolRefills()
    {
        // Cold: no pool, and no spare left from another test; each load balancer boots its amphora.
        await cloud.RestartAsync("");
        while ((await AmphoraeAsync("READY")).Count > 0)
        {
            await DeleteAsync((await CreateAsync("drain")).LoadBalancerId);
        }

        var cold = new List<TimeSpan>();
        for (var i = 0; i < Creates; i++)
        {
            var (elapsed, lbId, _) = await CreateAsync($"cold-{i}");
            cold.Add(elapsed);
            await DeleteAsync(lbId);
        }

        // The same cloud with two spares kept; each create starts with a full pool and nothing building. The
        // check interval stays at its 30 s: the pool refills within the test only because a flow that took a
        // spare wakes housekeeping.
        await cloud.RestartAsync(PoolConfig);
        var warm = new List<TimeSpan>();
        for (var i = 0; i < Creates; i++)
        {
            // Refills must come well before the 30 s check interval: the flow that took a spare woke housekeeping.
            var spares = await WaitForFullPoolAsync(i == 0 ? 90 : 20);
            var (elapsed, lbId, amphoraId) = await CreateAsync($"warm-{i}");
            Assert.Contains(amphoraId, spares);
            warm.Add(elapsed);

            if (i == Creates - 1)
            {
                await ServesAsync(lbId);
            }

            await DeleteAsync(lbId);
        }

        var refilled = await WaitForFullPoolAsync(20);
        Assert.Equal(2, refilled.Count);

        var (coldMedian, warmMedian) = (Median(cold), Median(warm));
        var report = $"POST → ACTIVE, median of {Creates}: cold {coldMedian:F0} ms ({string.Join(", ", cold.Select(c => c.TotalMilliseconds.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))}), " +
            $"from a spare {warmMedian:F0} ms ({string.Join(", ", warm.Select(c => c.TotalMilliseconds.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))}); ratio {coldMedian / warmMedian:F1}";
        var phases = string.Join("\n", cloud.Output.Split('\n').Where(l => l.Contains("(a spare) allocated", StringComparison.Ordinal)));
        TestContext.Current.SendDiagnosticMessage(report + "\n" + phases);
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        Assert.True(coldMedian >= 3 * warmMedian, report + "\n" + cloud.Output);
    }
}
