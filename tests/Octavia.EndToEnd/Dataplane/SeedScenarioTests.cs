using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Octavia.EndToEnd.Dataplane;

[CollectionDefinition("dataplane")]
public sealed class DataplaneCollection : ICollectionFixture<Dataplane>;

/// <summary>
/// Upstream's Basic Load Balancing Cookbook ("Deploy a basic HTTP load balancer", "... with a health
/// monitor"), its commands run verbatim through the real client with <c>OS_CLOUD=octavia-noauth</c>
/// (names such as <c>public-subnet</c> resolved through our networking API), on real amphorae; backends
/// 192.0.2.10 and .11 are <c>octavia server start</c> servers on private-subnet, requests come from the host
/// through the VIP. Then a member on a tenant subnet made with <c>openstack network/subnet create</c>.
/// docs/user-guide.md walks through the same commands.
/// </summary>
[Collection("dataplane")]
public sealed class SeedScenarioTests(Dataplane cloud)
{
    private const string CreateLb = "openstack loadbalancer create --name lb1 --vip-subnet-id public-subnet";

    private static readonly string[] ListenerPoolMembers =
    [
        "openstack loadbalancer listener create --name listener1 --protocol HTTP --protocol-port 80 lb1",
        "openstack loadbalancer pool create --name pool1 --lb-algorithm ROUND_ROBIN --listener listener1 --protocol HTTP",
        "openstack loadbalancer member create --subnet-id private-subnet --address 192.0.2.10 --protocol-port 80 pool1",
        "openstack loadbalancer member create --subnet-id private-subnet --address 192.0.2.11 --protocol-port 80 pool1",
    ];

    private const string Monitor = "openstack loadbalancer healthmonitor create --delay 5 --max-retries 4 --timeout 10 --type HTTP --url-path /healthcheck pool1";

    private OpenStackCli Cli => cloud.CloudCli;

    [Fact]
    public async Task BasicHttp_Cookbook_BalancesAcrossBothBackends()
    {
        try
        {
            var vip = await CookbookAsync([CreateLb, .. ListenerPoolMembers]);
            var counts = await WarmAsync(vip, "192.0.2.10:80", "192.0.2.11:80");
            Assert.Equal(50, counts.GetValueOrDefault("192.0.2.10:80"));
            Assert.Equal(50, counts.GetValueOrDefault("192.0.2.11:80"));
            await DeleteAndAssertNothingLeftAsync();
        }
        finally
        {
            await CleanUpAsync();
        }
    }

    [Fact]
    public async Task BasicHttpWithMonitor_Cookbook_FailsOverToTheLiveBackend_AndReportsTheMemberError()
    {
        try
        {
            // The cookbook's order: the monitor before the members.
            var vip = await CookbookAsync([CreateLb, ListenerPoolMembers[0], ListenerPoolMembers[1], Monitor, ListenerPoolMembers[2], ListenerPoolMembers[3]]);
            var url = $"http://{vip}/";
            await WarmAsync(vip, "192.0.2.10:80", "192.0.2.11:80");

            // Stop 192.0.2.11's application (its processes, as `systemctl stop` would; the server stays):
            // HAProxy marks it down after max_retries_down (default 3) failed checks 5 s apart.
            var stopped = Stopwatch.StartNew();
            foreach (var pid in (await Dataplane.RunAsync("ip", "netns", "pids", "octavia-srv-c000020b")).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                Process.GetProcessById(int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture)).Kill();
            }

            const int delay = 5, maxRetriesDown = 3;
            var bound = TimeSpan.FromSeconds(delay * maxRetriesDown + 1);
            var lastOther = TimeSpan.Zero;
            while (stopped.Elapsed - lastOther < TimeSpan.FromSeconds(2))
            {
                var answer = await Traffic.CountAsync(url, 1, timeoutSeconds: 1);
                if (!answer.ContainsKey("192.0.2.10:80"))
                {
                    lastOther = stopped.Elapsed;
                }

                Assert.True(stopped.Elapsed < bound + TimeSpan.FromSeconds(30), $"Traffic still reached the stopped backend after {stopped.Elapsed}.");
            }

            Assert.True(lastOther <= bound, $"The last request that did not reach the live backend was {lastOther.TotalSeconds:F2} s after the stop; the bound is {bound.TotalSeconds} s.");
            Assert.Equal(20, (await Traffic.CountAsync(url, 20)).GetValueOrDefault("192.0.2.10:80"));

            // The amphora reports the member down in its next heartbeats: status show has it ERROR, the other ONLINE.
            var watch = Stopwatch.StartNew();
            Dictionary<string, string> members;
            do
            {
                var tree = await Cli.JsonAsync("loadbalancer", "status", "show", "lb1");
                members = tree["loadbalancer"]!["listeners"]![0]!["pools"]![0]!["members"]!.AsArray()
                    .ToDictionary(m => m!["address"]!.GetValue<string>(), m => m!["operating_status"]!.GetValue<string>());
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(90), $"status show: {tree.ToJsonString()}\n{cloud.Output}");
            }
            while (members["192.0.2.11"] != "ERROR");

            Assert.Equal("ONLINE", members["192.0.2.10"]);
            await DeleteAndAssertNothingLeftAsync();
        }
        finally
        {
            await CleanUpAsync();
        }
    }

    /// <summary>
    /// A member on a subnet of a new tenant network plugs the amphora into that network, and traffic reaches
    /// it; deleting the member unplugs it (interface and port gone). The subnet, 192.0.2.128/25, overlaps
    /// private-subnet on purpose: tenant networks may overlap, the host joins neither, and in the amphora the
    /// longer prefix routes .128-.255 to the new network while .10 and .11 stay on private.
    /// </summary>
    [Fact]
    public async Task MemberOnANewTenantSubnet_PlugsTheAmphora_AndDeletingItUnplugs()
    {
        var before = await HostSafetyTests.HostStateAsync();
        try
        {
            var vip = await CookbookAsync([CreateLb, .. ListenerPoolMembers]);
            await Cli.RunAsync("network", "create", "tenant-net");
            await Cli.RunAsync("subnet", "create", "--network", "tenant-net", "--subnet-range", "192.0.2.128/25", "tenant-subnet");
            await cloud.ServerAsync("start", "--subnet", "tenant-subnet", "--address", "192.0.2.140");
            var member = await Cli.JsonAsync("loadbalancer", "member", "create", "--subnet-id", "tenant-subnet", "--address", "192.0.2.140", "--protocol-port", "80", "pool1", "-f", "json");
            await ShowUntilActiveAsync();

            var amphora = Assert.Single((await Cli.JsonAsync("loadbalancer", "amphora", "list", "--loadbalancer", "lb1", "-f", "json")).AsArray())!["id"]!.GetValue<string>();
            var ns = (await Cli.JsonAsync("loadbalancer", "amphora", "show", amphora, "-f", "json"))["compute_id"]!.GetValue<string>();
            var port = Assert.Single(await AmphoraPortsOnAsync(amphora, "tenant-net"));
            var address = port["Fixed IP Addresses"]!.AsArray()[0]!["ip_address"]!.GetValue<string>();
            Assert.StartsWith("192.0.2.1", address, StringComparison.Ordinal);
            Assert.Contains($" {address}/25", await Dataplane.RunAsync("ip", "netns", "exec", ns, "ip", "-br", "addr"), StringComparison.Ordinal);

            var counts = await WarmAsync(vip, "192.0.2.10:80", "192.0.2.11:80", "192.0.2.140:80");
            Assert.Equal(100, counts.Values.Sum());

            await Cli.RunAsync("loadbalancer", "member", "delete", "pool1", member["id"]!.GetValue<string>());
            await ShowUntilActiveAsync();
            Assert.Empty(await AmphoraPortsOnAsync(amphora, "tenant-net"));
            Assert.DoesNotContain($" {address}/", await Dataplane.RunAsync("ip", "netns", "exec", ns, "ip", "-br", "addr"), StringComparison.Ordinal);
            counts = await Traffic.CountAsync($"http://{vip}/", 20);
            Assert.Equal(20, counts.GetValueOrDefault("192.0.2.10:80") + counts.GetValueOrDefault("192.0.2.11:80"));

            // Nothing holds the network any more: it goes, and its bridge with it.
            await cloud.ServerAsync("stop", "192.0.2.140");
            await Cli.RunAsync("network", "delete", "tenant-net");
            await DeleteAndAssertNothingLeftAsync();
            Assert.Equal(before, await HostSafetyTests.HostStateAsync());
        }
        finally
        {
            await CleanUpAsync();
            await Cli.TryRunAsync("network", "delete", "tenant-net");
        }
    }

    /// <summary>Starts the backends, then runs the cookbook's commands as written, re-running <c>loadbalancer show lb1</c> after each until ACTIVE; returns the VIP.</summary>
    private async Task<string> CookbookAsync(string[] commands)
    {
        await cloud.ServerAsync("start", "--subnet", "private-subnet", "--address", "192.0.2.10");
        await cloud.ServerAsync("start", "--subnet", "private-subnet", "--address", "192.0.2.11");
        JsonNode? lb = null;
        foreach (var command in commands)
        {
            await Cli.RunAsync(command.Split(' ')[1..]);
            lb = await ShowUntilActiveAsync();
        }

        var vip = lb!["vip_address"]!.GetValue<string>();
        Assert.StartsWith("203.0.113.", vip, StringComparison.Ordinal);
        return vip;
    }

    /// <summary>The cookbook's "re-run the following until lb1 shows ACTIVE".</summary>
    private async Task<JsonNode> ShowUntilActiveAsync()
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var lb = await Cli.JsonAsync("loadbalancer", "show", "lb1", "-f", "json");
            var status = lb["provisioning_status"]!.GetValue<string>();
            if (status == "ACTIVE")
            {
                return lb;
            }

            Assert.True(status != "ERROR" && watch.Elapsed < TimeSpan.FromSeconds(60), $"lb1 is {status}.\n{cloud.Output}");
        }
    }

    /// <summary>Waits until every backend has answered through the VIP (a monitored member is UP after its first checks), then counts 100 requests.</summary>
    private async Task<Dictionary<string, int>> WarmAsync(string vip, params string[] backends)
    {
        var url = $"http://{vip}/";
        var watch = Stopwatch.StartNew();
        var seen = new HashSet<string>();
        while (!seen.IsSupersetOf(backends))
        {
            seen.UnionWith((await Traffic.CountAsync(url, backends.Length)).Keys);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"Only {string.Join(", ", seen)} answered through the VIP.\n{cloud.Output}");
        }

        var counts = await Traffic.CountAsync(url, 100);
        Assert.Equal(backends.Order(), counts.Keys.Order());
        return counts;
    }

    private async Task<List<JsonNode>> AmphoraPortsOnAsync(string amphoraId, string network) =>
        (await Cli.JsonAsync("port", "list", "--device-id", amphoraId, "--network", network, "-f", "json")).AsArray().Select(p => p!).ToList();

    /// <summary>
    /// Deletes lb1 and the servers, then checks that only the networks' own bridges are left: no amphora
    /// or server namespace, veth or HAProxy.
    /// </summary>
    private async Task DeleteAndAssertNothingLeftAsync()
    {
        await Cli.RunAsync("loadbalancer", "delete", "--cascade", "--wait", "lb1");
        await cloud.ServerAsync("stop", "--all");
        var (code, networks) = await OctaviaProcess.RunAsync(cloud.ConfigFile, "network", "list");
        Assert.True(code == 0, networks);
        var bridges = new[] { "public-subnet", "private-subnet", "lb-mgmt-subnet" }.Select(s => Dataplane.SubnetRow(networks, s)[5]).ToHashSet();
        var (namespaces, links, haproxies) = await Dataplane.LeftoversAsync();
        Assert.Empty(namespaces);
        Assert.Empty(haproxies);
        Assert.Subset(bridges, links.ToHashSet());
    }

    /// <summary>Best effort after a failure: lb1 and the servers go, so that the next test starts clean.</summary>
    private async Task CleanUpAsync()
    {
        await Cli.TryRunAsync("loadbalancer", "delete", "--cascade", "--wait", "lb1");
        await OctaviaProcess.RunAsync(cloud.ConfigFile, "server", "stop", "--all");
    }
}
