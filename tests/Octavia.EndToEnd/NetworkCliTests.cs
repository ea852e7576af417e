using System.Text.Json.Nodes;

namespace Octavia.EndToEnd;

/// <summary>
/// The real client (Debian's python3-openstackclient and python3-octaviaclient) against the networking API
/// of a real <c>octavia all</c>, configured only by a clouds.yaml of the shape docs/clouds.yaml documents:
/// network commands go to <c>auth.endpoint</c> (the network API), load-balancer commands to
/// <c>load_balancer_endpoint_override</c>. The local network driver keeps its IPAM in the database; the
/// compute driver is no-op, so nothing is made on the host (tenant networks have no bridge yet).
/// </summary>
public sealed class NetworkCliTests
{
    [Fact]
    public async Task NetworkSubnetPortCommands_AndLoadBalancerByVipSubnetName_Work()
    {
        using var dir = new TestDirectory();
        using var octavia = await StartAsync(dir);
        var cli = Cli(dir);

        // The networks and subnets network init made, by name.
        Assert.Superset(new HashSet<string> { "public", "private", "lb-mgmt-net" }, Names(await cli.JsonAsync("network", "list", "-f", "json")));
        Assert.Superset(new HashSet<string> { "public-subnet", "private-subnet", "lb-mgmt-subnet" }, Names(await cli.JsonAsync("subnet", "list", "-f", "json")));
        var publicSubnet = await cli.JsonAsync("subnet", "show", "public-subnet", "-f", "json");
        Assert.Equal(4, publicSubnet["ip_version"]!.GetValue<int>());
        Assert.EndsWith("/24", publicSubnet["cidr"]!.GetValue<string>(), StringComparison.Ordinal);
        var privateSubnet = await cli.JsonAsync("subnet", "show", "private-subnet", "-f", "json");
        Assert.Equal("192.0.2.0/24", privateSubnet["cidr"]!.GetValue<string>());

        // A tenant network with an IPv4 and an IPv6 subnet, and a second one overlapping private's range.
        var network = await cli.JsonAsync("network", "create", "tenant-net", "-f", "json");
        Assert.Equal("ACTIVE", network["status"]!.GetValue<string>());
        var subnet = await cli.JsonAsync("subnet", "create", "--network", "tenant-net", "--subnet-range", "10.0.0.0/24", "tenant-subnet", "-f", "json");
        Assert.Equal("10.0.0.0/24", subnet["cidr"]!.GetValue<string>());
        Assert.Equal("10.0.0.1", subnet["gateway_ip"]!.GetValue<string>());
        var subnet6 = await cli.JsonAsync("subnet", "create", "--network", "tenant-net", "--ip-version", "6", "--subnet-range", "2001:db8:1::/64",
            "--ipv6-address-mode", "slaac", "--ipv6-ra-mode", "slaac", "tenant-subnet6", "-f", "json");
        Assert.Equal(6, subnet6["ip_version"]!.GetValue<int>());
        Assert.Equal("2001:db8:1::1", subnet6["gateway_ip"]!.GetValue<string>());
        await cli.RunAsync("network", "create", "overlap-net");
        var overlap = await cli.JsonAsync("subnet", "create", "--network", "overlap-net", "--subnet-range", "192.0.2.0/24", "overlap-subnet", "-f", "json");
        Assert.Equal("192.0.2.0/24", overlap["cidr"]!.GetValue<string>());

        var device = Guid.NewGuid().ToString();
        var port = await cli.JsonAsync("port", "create", "--network", "tenant-net", "--device", device, "tenant-port", "-f", "json");
        var addresses = port["fixed_ips"]!.ToJsonString();
        Assert.Contains("10.0.0.2", addresses, StringComparison.Ordinal);
        Assert.Contains("2001:db8:1::2", addresses, StringComparison.Ordinal);
        var fixedIp = await cli.JsonAsync("port", "create", "--network", "tenant-net", "--fixed-ip", "subnet=tenant-subnet,ip-address=10.0.0.77", "fixed-port", "-f", "json");
        Assert.Contains("10.0.0.77", fixedIp["fixed_ips"]!.ToJsonString(), StringComparison.Ordinal);
        var taken = await cli.TryRunAsync("port", "create", "--network", "tenant-net", "--fixed-ip", "subnet=tenant-subnet,ip-address=10.0.0.77", "again");
        Assert.NotEqual(0, taken.ExitCode);
        Assert.Contains("already allocated", taken.Stderr, StringComparison.Ordinal);

        var byDevice = (await cli.JsonAsync("port", "list", "--device-id", device, "-f", "json")).AsArray();
        Assert.Equal(port["id"]!.GetValue<string>(), Assert.Single(byDevice)!["ID"]!.GetValue<string>());
        var byAddress = (await cli.JsonAsync("port", "list", "--fixed-ip", "ip-address=10.0.0.77", "-f", "json")).AsArray();
        Assert.Equal(fixedIp["id"]!.GetValue<string>(), Assert.Single(byAddress)!["ID"]!.GetValue<string>());

        var inUse = await cli.TryRunAsync("network", "delete", "tenant-net");
        Assert.NotEqual(0, inUse.ExitCode);
        Assert.Contains("ports still in use", inUse.Stderr, StringComparison.Ordinal);
        await cli.RunAsync("port", "delete", "tenant-port", "fixed-port");
        Assert.Empty((await cli.JsonAsync("port", "list", "--device-id", device, "-f", "json")).AsArray());
        await cli.RunAsync("subnet", "delete", "tenant-subnet", "tenant-subnet6");
        await cli.RunAsync("network", "delete", "tenant-net", "overlap-net");
        Assert.DoesNotContain("tenant-net", Names(await cli.JsonAsync("network", "list", "-f", "json")));

        // octaviaclient resolves --vip-subnet-id NAME through the network API (GET /v2.0/subnets?name=).
        var lb = await cli.JsonAsync("loadbalancer", "create", "--name", "lb1", "--vip-subnet-id", "public-subnet", "--wait", "-f", "json");
        Assert.Equal(publicSubnet["id"]!.GetValue<string>(), lb["vip_subnet_id"]!.GetValue<string>());
        Assert.Equal("ACTIVE", lb["provisioning_status"]!.GetValue<string>());
        var vip = (await cli.JsonAsync("port", "list", "--device-id", lb["id"]!.GetValue<string>(), "-f", "json")).AsArray();
        Assert.Equal(lb["vip_port_id"]!.GetValue<string>(), Assert.Single(vip)!["ID"]!.GetValue<string>());
        Assert.Contains(lb["vip_address"]!.GetValue<string>(), vip[0]!["Fixed IP Addresses"]!.ToJsonString(), StringComparison.Ordinal);

        await cli.RunAsync("loadbalancer", "delete", "--wait", "lb1");
        Assert.Empty((await cli.JsonAsync("port", "list", "--device-id", lb["id"]!.GetValue<string>(), "-f", "json")).AsArray());
    }

    /// <summary>
    /// <c>--vip-network-id</c> and <c>--vip-port-id</c>: the VIP is a port of the networking API whose
    /// address is the load balancer's; deleting the load balancer deletes the port the driver made and keeps
    /// the user's own, unchanged (upstream's driver deletes only ports it owns, device_owner Octavia).
    /// </summary>
    [Fact]
    public async Task VipByNetworkAndByPort_AreNetworkApiPorts_OnlyTheDriversIsFreed()
    {
        using var dir = new TestDirectory();
        using var octavia = await StartAsync(dir);
        var cli = Cli(dir);

        var byNetwork = await cli.JsonAsync("loadbalancer", "create", "--name", "lb-net", "--vip-network-id", "private", "--wait", "-f", "json");
        var driverPort = await cli.JsonAsync("port", "show", byNetwork["vip_port_id"]!.GetValue<string>(), "-f", "json");
        Assert.Equal("Octavia", driverPort["device_owner"]!.GetValue<string>());
        Assert.Equal(byNetwork["id"]!.GetValue<string>(), driverPort["device_id"]!.GetValue<string>());
        Assert.Equal(byNetwork["vip_address"]!.GetValue<string>(), driverPort["fixed_ips"]![0]!["ip_address"]!.GetValue<string>());
        Assert.Equal(byNetwork["vip_subnet_id"]!.GetValue<string>(), driverPort["fixed_ips"]![0]!["subnet_id"]!.GetValue<string>());
        Assert.StartsWith("192.0.2.", byNetwork["vip_address"]!.GetValue<string>(), StringComparison.Ordinal);

        var userPort = await cli.JsonAsync("port", "create", "--network", "private", "my-vip", "-f", "json");
        var byPort = await cli.JsonAsync("loadbalancer", "create", "--name", "lb-port", "--vip-port-id", "my-vip", "--wait", "-f", "json");
        Assert.Equal(userPort["id"]!.GetValue<string>(), byPort["vip_port_id"]!.GetValue<string>());
        Assert.Equal(userPort["fixed_ips"]![0]!["ip_address"]!.GetValue<string>(), byPort["vip_address"]!.GetValue<string>());
        Assert.Equal(userPort["network_id"]!.GetValue<string>(), byPort["vip_network_id"]!.GetValue<string>());

        await cli.RunAsync("loadbalancer", "delete", "--wait", "lb-net");
        var gone = await cli.TryRunAsync("port", "show", driverPort["id"]!.GetValue<string>());
        Assert.NotEqual(0, gone.ExitCode);
        Assert.Contains("No Port found", gone.Stderr, StringComparison.Ordinal);

        await cli.RunAsync("loadbalancer", "delete", "--wait", "lb-port");
        var kept = await cli.JsonAsync("port", "show", "my-vip", "-f", "json");
        Assert.Equal(userPort["fixed_ips"]!.ToJsonString(), kept["fixed_ips"]!.ToJsonString());
        Assert.Equal(userPort["device_id"]!.ToJsonString(), kept["device_id"]!.ToJsonString());
        Assert.Equal(userPort["device_owner"]!.ToJsonString(), kept["device_owner"]!.ToJsonString());
        await cli.RunAsync("port", "delete", "my-vip");
    }

    /// <summary>
    /// <c>octavia all</c> with the local network driver (its IPAM in the database) and no-op compute and
    /// amphora drivers, and a clouds.yaml of the shape docs/clouds.yaml documents for it (cloud <c>octavia-e2e</c>).
    /// </summary>
    private static async Task<OctaviaProcess> StartAsync(TestDirectory dir)
    {
        var apiPort = OctaviaProcess.FreePort();
        var networkPort = OctaviaProcess.FreePort();
        dir.WriteConfig($"""
            [api_settings]
            bind_host = 127.0.0.1
            bind_port = {apiPort}

            [network_api]
            bind_host = 127.0.0.1
            bind_port = {networkPort}

            [controller_worker]
            compute_driver = compute_noop_driver
            network_driver = network_local_driver
            amphora_driver = amphora_noop_driver

            [health_manager]
            bind_ip = 127.0.0.1
            bind_port = 0
            """);
        await File.WriteAllTextAsync(Path.Combine(dir.Path, "clouds.yaml"), $"""
            clouds:
              octavia-e2e:
                auth_type: none
                auth:
                  endpoint: http://127.0.0.1:{networkPort}
                load_balancer_endpoint_override: http://127.0.0.1:{apiPort}
            """, TestContext.Current.CancellationToken);
        var octavia = OctaviaProcess.Start(dir.ConfigFile, "all");
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}") };
            await OctaviaProcess.WaitForApiAsync(client, octavia);
            return octavia;
        }
        catch
        {
            octavia.Dispose();
            throw;
        }
    }

    private static OpenStackCli Cli(TestDirectory dir) => OpenStackCli.FromCloudsYaml(Path.Combine(dir.Path, "clouds.yaml"), "octavia-e2e");

    private static HashSet<string> Names(JsonNode list) => list.AsArray().Select(n => n!["Name"]!.GetValue<string>()).ToHashSet();
}
