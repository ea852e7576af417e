using System.Diagnostics;
using System.Net;
using Octavia.Drivers.Tests.Amphora;

namespace Octavia.EndToEnd.Dataplane;

/// <summary>
/// Member changes reach traffic as soon as they are ACTIVE, and a run of configuration changes under
/// continuous load (kept-alive and <c>Connection: close</c> clients) fails no request.
/// </summary>
[Collection("dataplane")]
public sealed class MemberChangeTests(Dataplane cloud)
{
    private static readonly string[] Backends = ["192.0.2.50", "192.0.2.51", "192.0.2.52"];

    [Fact]
    public async Task MemberChanges_ReachTrafficWithin500ms_And50ChangesUnderLoadFailNothing()
    {
        foreach (var address in Backends)
        {
            await cloud.ServerAsync("start", "--subnet", "private-subnet", "--address", address);
        }

        string? lbId = null;
        try
        {
            var created = await cloud.PostAsync("/v2/lbaas/loadbalancers", $$"""
                {"loadbalancer": {"vip_subnet_id": "{{cloud.PublicSubnetId}}", "listeners": [{"protocol": "HTTP", "protocol_port": 80,
                  "default_pool": {"name": "pool1", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "members": [
                    {"address": "192.0.2.50", "protocol_port": 80, "subnet_id": "{{cloud.PrivateSubnetId}}"},
                    {"address": "192.0.2.51", "protocol_port": 80, "subnet_id": "{{cloud.PrivateSubnetId}}"}]} }]} }
                """);
            var lb = created["loadbalancer"]!;
            lbId = lb["id"]!.GetValue<string>();
            var vip = lb["vip_address"]!.GetValue<string>();
            var poolId = lb["listeners"]![0]!["default_pool_id"]!.GetValue<string>();
            var url = $"http://{vip}/";
            await cloud.WaitForActiveAsync(lbId);

            // Added: the first request it serves comes within 500 ms of ACTIVE.
            var member = await cloud.PostAsync($"/v2/lbaas/pools/{poolId}/members",
                $$"""{"member": {"address": "192.0.2.52", "protocol_port": 80, "subnet_id": "{{cloud.PrivateSubnetId}}"} }""");
            var memberId = member["member"]!["id"]!.GetValue<string>();
            await cloud.WaitForActiveAsync(lbId);
            var active = Stopwatch.StartNew();
            while (!(await Traffic.CountAsync(url, 1)).ContainsKey("192.0.2.52:80"))
            {
                Assert.True(active.ElapsedMilliseconds < 5000, "The new member never served.");
            }

            var added = active.Elapsed;
            Assert.True(added < TimeSpan.FromMilliseconds(500), $"The added member first served {added.TotalMilliseconds:F0} ms after ACTIVE.");

            // Removed: nothing reaches it once the delete is ACTIVE.
            await cloud.DeleteAsync($"/v2/lbaas/pools/{poolId}/members/{memberId}");
            await cloud.WaitForActiveAsync(lbId);
            var after = await Traffic.CountAsync(url, 30);
            Assert.False(after.ContainsKey("192.0.2.52:80"), "The removed member still served after ACTIVE.");

            // 50 changes (re-weighting a member) while two kinds of clients keep sending.
            var members = (await cloud.GetAsync($"/v2/lbaas/pools/{poolId}/members"))["members"]!.AsArray();
            var reweighted = members.First(m => m!["address"]!.GetValue<string>() == "192.0.2.51")!["id"]!.GetValue<string>();
            var target = new IPEndPoint(IPAddress.Parse(vip), 80);
            var keepAlive = new HttpLoadGenerator(target, keepAlive: true, clients: 4);
            var close = new HttpLoadGenerator(target, keepAlive: false, clients: 4);
            using var stop = new CancellationTokenSource();
            var load = Task.WhenAll(keepAlive.RunAsync(stop.Token), close.RunAsync(stop.Token));
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < 50; i++)
            {
                await cloud.PutAsync($"/v2/lbaas/pools/{poolId}/members/{reweighted}", $$"""{"member": {"weight": {{i % 5 + 1}}} }""");
                await cloud.WaitForActiveAsync(lbId);
            }

            var changes = watch.Elapsed;
            await stop.CancelAsync();
            await load;
            TestContext.Current.SendDiagnosticMessage($"50 changes in {changes.TotalSeconds:F1} s; {keepAlive}; {close}");
            Assert.True(keepAlive.Failed == 0 && close.Failed == 0, $"{keepAlive}\n{close}");
            Assert.True(keepAlive.Succeeded > 0 && close.Succeeded > 0, $"{keepAlive}\n{close}");
        }
        finally
        {
            if (lbId is not null)
            {
                await cloud.DeleteAsync($"/v2/lbaas/loadbalancers/{lbId}?cascade=true");
                await cloud.WaitForGoneAsync(lbId);
            }

            foreach (var address in Backends)
            {
                await OctaviaProcess.RunAsync(cloud.ConfigFile, "server", "stop", address);
            }
        }
    }
}
