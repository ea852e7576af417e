namespace Octavia.EndToEnd.Dataplane;

/// <summary>
/// <c>compute_process_driver</c>: an amphora as plain processes on the host (no namespace, no root needed),
/// its VIP and its agent on loopback addresses; a backend on the host's loopback serves through it.
/// </summary>
public sealed class ProcessComputeTests
{
    [Fact]
    public async Task LoadBalancer_ServesThroughLoopbackVip_AndLeavesNoProcessWhenDeleted()
    {
        using var dir = new TestDirectory();
        var apiPort = OctaviaProcess.FreePort();
        var backendPort = OctaviaProcess.FreePort();
        dir.WriteConfig($"""
            [api_settings]
            bind_host = 127.0.0.1
            bind_port = {apiPort}

            [controller_worker]
            compute_driver = compute_process_driver
            network_driver = network_local_driver
            amphora_driver = amphora_haproxy_rest_driver
            """);
        using var backend = OctaviaProcess.Start(null, "server", "serve", "--address", "127.0.0.1", "--port", backendPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var octavia = OctaviaProcess.Start(dir.ConfigFile, "all");
        using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}") };
        await OctaviaProcess.WaitForApiAsync(api, octavia);
        var (code, networks) = await OctaviaProcess.RunAsync(dir.ConfigFile, "network", "list");
        Assert.True(code == 0, networks);
        var publicSubnet = Dataplane.SubnetRow(networks, "public-subnet");
        Assert.Equal("127.203.113.0/24", publicSubnet[4]);

        var cloud = new ApiCalls(api, () => octavia.Output);
        var created = await cloud.PostAsync("/v2/lbaas/loadbalancers", $$"""
            {"loadbalancer": {"vip_subnet_id": "{{publicSubnet[3]}}", "listeners": [{"protocol": "HTTP", "protocol_port": 8080,
              "default_pool": {"name": "pool1", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "members": [{"address": "127.0.0.1", "protocol_port": {{backendPort}}}]} }]} }
            """);
        var lbId = created["loadbalancer"]!["id"]!.GetValue<string>();
        var vip = created["loadbalancer"]!["vip_address"]!.GetValue<string>();
        Assert.StartsWith("127.203.113.", vip, StringComparison.Ordinal);
        await cloud.WaitForActiveAsync(lbId);

        Assert.Equal(10, (await Traffic.CountAsync($"http://{vip}:8080/", 10)).GetValueOrDefault($"127.0.0.1:{backendPort}"));
        var (namespaces, _, haproxies) = await Dataplane.LeftoversAsync();
        Assert.DoesNotContain(namespaces, n => n.StartsWith("octavia-amp-", StringComparison.Ordinal));
        Assert.NotEmpty(haproxies);

        await cloud.DeleteAsync($"/v2/lbaas/loadbalancers/{lbId}?cascade=true");
        await cloud.WaitForGoneAsync(lbId);
        var after = await Dataplane.LeftoversAsync();
        Assert.Empty(after.Haproxies);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "amp")) && Directory.EnumerateDirectories(Path.Combine(dir.Path, "amp")).Any());
    }
}
