using System.Diagnostics;

namespace Octavia.EndToEnd.Dataplane;

[CollectionDefinition("dataplane")]
public sealed class DataplaneCollection : ICollectionFixture<Dataplane>;

/// <summary>
/// Seed scenario 2 through the API with real amphorae: lb1 on public-subnet, listener1 HTTP:80, pool1
/// ROUND_ROBIN with an HTTP /healthcheck monitor, members 192.0.2.10 and 192.0.2.11 served by
/// <c>octavia server start</c> backends on private-subnet; requests from the host through the VIP.
/// </summary>
[Collection("dataplane")]
public sealed class SeedScenarioTests(Dataplane cloud)
{
    [Fact]
    public async Task BasicHttpWithMonitor_SplitsEvenly_AndFailsOverToTheLiveBackend()
    {
        await cloud.ServerAsync("start", "--subnet", "private-subnet", "--address", "192.0.2.10");
        await cloud.ServerAsync("start", "--subnet", "private-subnet", "--address", "192.0.2.11");
        try
        {
            var created = await cloud.PostAsync("/v2/lbaas/loadbalancers", $$"""{"loadbalancer": {"name": "lb1", "vip_subnet_id": "{{cloud.PublicSubnetId}}"} }""");
            var lbId = created["loadbalancer"]!["id"]!.GetValue<string>();
            var vip = created["loadbalancer"]!["vip_address"]!.GetValue<string>();
            Assert.StartsWith("203.0.113.", vip, StringComparison.Ordinal);
            await cloud.WaitForActiveAsync(lbId);

            var listener = await cloud.PostAsync("/v2/lbaas/listeners", $$"""{"listener": {"name": "listener1", "protocol": "HTTP", "protocol_port": 80, "loadbalancer_id": "{{lbId}}"} }""");
            await cloud.WaitForActiveAsync(lbId);
            var pool = await cloud.PostAsync("/v2/lbaas/pools", $$"""{"pool": {"name": "pool1", "lb_algorithm": "ROUND_ROBIN", "protocol": "HTTP", "listener_id": "{{listener["listener"]!["id"]}}"} }""");
            var poolId = pool["pool"]!["id"]!.GetValue<string>();
            await cloud.WaitForActiveAsync(lbId);
            // The seed's monitor shape, with a short delay so the test does not wait 15 s.
            const int delay = 1, maxRetriesDown = 2;
            await cloud.PostAsync("/v2/lbaas/healthmonitors",
                $$"""{"healthmonitor": {"pool_id": "{{poolId}}", "type": "HTTP", "delay": {{delay}}, "timeout": 1, "max_retries": 1, "max_retries_down": {{maxRetriesDown}}, "url_path": "/healthcheck"} }""");
            await cloud.WaitForActiveAsync(lbId);
            foreach (var address in new[] { "192.0.2.10", "192.0.2.11" })
            {
                await cloud.PostAsync($"/v2/lbaas/pools/{poolId}/members",
                    $$"""{"member": {"address": "{{address}}", "protocol_port": 80, "subnet_id": "{{cloud.PrivateSubnetId}}"} }""");
                await cloud.WaitForActiveAsync(lbId);
            }

            // The members start UP after their first check (rise 1): wait for both to answer once.
            var url = $"http://{vip}/";
            var warm = Stopwatch.StartNew();
            while ((await Traffic.CountAsync(url, 2)).Count < 2)
            {
                Assert.True(warm.Elapsed.TotalSeconds < 10, "Both backends never answered through the VIP.\n" + cloud.Output);
            }

            var counts = await Traffic.CountAsync(url, 100);
            Assert.Equal(50, counts.GetValueOrDefault("192.0.2.10:80"));
            Assert.Equal(50, counts.GetValueOrDefault("192.0.2.11:80"));

            // Stop one backend (its process, as `systemctl stop` would; the host stays): within
            // delay × max_retries_down + 1 s every request goes to the other.
            var stopped = Stopwatch.StartNew();
            foreach (var pid in (await Dataplane.RunAsync("ip", "netns", "pids", "octavia-srv-c000020b")).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                Process.GetProcessById(int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture)).Kill();
            }

            var bound = TimeSpan.FromSeconds(delay * maxRetriesDown + 1);
            var lastOther = TimeSpan.Zero;
            while (stopped.Elapsed - lastOther < TimeSpan.FromSeconds(1))
            {
                var answer = await Traffic.CountAsync(url, 1, timeoutSeconds: 0.5);
                if (!answer.ContainsKey("192.0.2.10:80"))
                {
                    lastOther = stopped.Elapsed;
                }

                Assert.True(stopped.Elapsed < bound + TimeSpan.FromSeconds(5), $"Traffic still reached the stopped backend after {stopped.Elapsed}.");
            }

            var elapsed = lastOther;
            Assert.True(elapsed <= bound, $"The last request that did not reach the live backend was {elapsed.TotalSeconds:F2} s after the stop; the bound is {bound.TotalSeconds} s.");
            Assert.Equal(20, (await Traffic.CountAsync(url, 20)).GetValueOrDefault("192.0.2.10:80"));

            await cloud.DeleteAsync($"/v2/lbaas/loadbalancers/{lbId}?cascade=true");
            await cloud.WaitForGoneAsync(lbId);
            await cloud.ServerAsync("stop", "--all");

            // Only the networks' bridges are left: no amphora or server namespace, veth or HAProxy.
            var (namespaces, links, haproxies) = await Dataplane.LeftoversAsync();
            Assert.Empty(namespaces);
            Assert.Empty(haproxies);
            Assert.All(links, l => Assert.True(l is "octavia-pub" or "octavia-mgmt" || l.StartsWith("octavia-b", StringComparison.Ordinal), l));
        }
        finally
        {
            await cloud.ServerAsync("stop", "--all");
        }
    }
}
