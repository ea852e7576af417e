namespace Octavia.EndToEnd;

/// <summary>
/// Issue 19, point 3: <c>octavia network clean</c> refuses while load balancers exist, naming them and the
/// command that deletes them, so that the database never goes on describing load balancers whose amphorae
/// and VIPs went with the networks. (The refusal comes before anything is removed: this test touches no host
/// link, and <c>--delete-load-balancers</c>, which does, runs at the end of every data-path test.)
/// </summary>
public sealed class NetworkCleanTests
{
    [Fact]
    public async Task Clean_RefusesWhileLoadBalancersExist_NamingThem()
    {
        using var dir = new TestDirectory();
        var apiPort = OctaviaProcess.FreePort();
        dir.WriteConfig($"""
            [api_settings]
            bind_host = 127.0.0.1
            bind_port = {apiPort}

            [controller_worker]
            compute_driver = compute_noop_driver
            network_driver = network_local_driver
            amphora_driver = amphora_noop_driver

            [health_manager]
            bind_ip = 127.0.0.1
            bind_port = 0
            """);
        string lbId;
        using (var octavia = OctaviaProcess.Start(dir.ConfigFile, "all"))
        {
            using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}") };
            await OctaviaProcess.WaitForApiAsync(api, octavia);
            var (_, list) = await OctaviaProcess.RunAsync(dir.ConfigFile, "network", "list");
            var publicSubnet = list.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).First(c => c.Length > 4 && c[2] == "public-subnet")[3];
            var calls = new Octavia.EndToEnd.Dataplane.ApiCalls(api, () => octavia.Output);
            var created = await calls.PostAsync("/v2/lbaas/loadbalancers", $$$"""{"loadbalancer": {"name": "kept", "vip_subnet_id": "{{{publicSubnet}}}"}}""");
            lbId = created["loadbalancer"]!["id"]!.GetValue<string>();
            await calls.WaitForActiveAsync(lbId);
            octavia.Kill();
        }

        var (code, output) = await OctaviaProcess.RunAsync(dir.ConfigFile, "network", "clean");
        Assert.Equal(2, code);
        Assert.Contains("network clean refuses: 1 load balancer(s) still exist", output, StringComparison.Ordinal);
        Assert.Contains($"  {lbId}  kept  ACTIVE", output, StringComparison.Ordinal);
        Assert.Contains("openstack loadbalancer delete --cascade <id>", output, StringComparison.Ordinal);
        Assert.Contains("--delete-load-balancers", output, StringComparison.Ordinal);

        // Nothing was removed: the networks are all still there.
        (code, output) = await OctaviaProcess.RunAsync(dir.ConfigFile, "network", "list");
        Assert.Equal(0, code);
        Assert.Contains("public-subnet", output, StringComparison.Ordinal);
    }
}
