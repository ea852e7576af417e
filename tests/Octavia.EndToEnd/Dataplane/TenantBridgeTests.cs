using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Octavia.EndToEnd.Dataplane;

/// <summary>
/// A network created through the networking API becomes a tenant bridge of its own (<c>octavia-b</c> plus
/// six hex of its id) on which the host holds no address, answers no ARP and has no IPv6, even with a
/// subnet on the host's own uplink range; deleting the network removes the bridge, and the host's
/// addresses and routes are as before.
/// </summary>
public sealed class TenantBridgeTests
{
    [Fact]
    public async Task NetworkCreate_MakesAnAddresslessBridge_DeleteRemovesIt()
    {
        using var dir = new TestDirectory();
        var port = OctaviaProcess.FreePort();
        dir.WriteConfig($"""
            [network_api]
            bind_host = 127.0.0.1
            bind_port = {port}

            [controller_worker]
            compute_driver = compute_netns_driver
            network_driver = network_local_driver
            amphora_driver = amphora_haproxy_rest_driver
            """);
        var (code, output) = await OctaviaProcess.RunAsync(dir.ConfigFile, "db", "upgrade");
        Assert.True(code == 0, output);
        var before = await HostSafetyTests.HostStateAsync();

        using var networkApi = OctaviaProcess.Start(dir.ConfigFile, "network-api");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await OctaviaProcess.WaitForApiAsync(client, networkApi);

        string? bridge = null;
        try
        {
            var network = await PostAsync(client, "/v2.0/networks", """{"network": {"name": "tenant"}}""");
            var networkId = network["network"]!["id"]!.GetValue<string>();
            bridge = "octavia-b" + networkId.Replace("-", "", StringComparison.Ordinal)[..6];
            Assert.Contains("\"ifname\":\"" + bridge + "\"", await Dataplane.RunAsync("ip", "-j", "link", "show", "dev", bridge), StringComparison.Ordinal);

            // The very range of the host's uplink on these machines: the host must not join it.
            var subnet = await PostAsync(client, "/v2.0/subnets",
                "{\"subnet\": {\"network_id\": \"" + networkId + "\", \"cidr\": \"192.0.2.0/24\", \"ip_version\": 4}}");
            Assert.Equal("[]", JsonNode.Parse(await Dataplane.RunAsync("ip", "-j", "address", "show", "dev", bridge))![0]!["addr_info"]!.ToJsonString());
            Assert.Equal("1", (await File.ReadAllTextAsync($"/proc/sys/net/ipv6/conf/{bridge}/disable_ipv6", TestContext.Current.CancellationToken)).Trim());
            Assert.Equal("8", (await File.ReadAllTextAsync($"/proc/sys/net/ipv4/conf/{bridge}/arp_ignore", TestContext.Current.CancellationToken)).Trim());
            Assert.Equal(Without(before, bridge), Without(await HostSafetyTests.HostStateAsync(), bridge));

            Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v2.0/subnets/{subnet["subnet"]!["id"]!.GetValue<string>()}",
                TestContext.Current.CancellationToken)).StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/v2.0/networks/{networkId}", TestContext.Current.CancellationToken)).StatusCode);
            Assert.Equal("", await Dataplane.RunAsync("ip", "-br", "link", "show", "dev", bridge));
            Assert.Equal(before, await HostSafetyTests.HostStateAsync());
        }
        finally
        {
            if (bridge is not null)
            {
                await Dataplane.RunAsync("ip", "link", "delete", bridge);
            }
        }
    }

    private static string Without(string state, string link) =>
        string.Join('\n', state.Split('\n').Where(line => !line.Contains(link, StringComparison.Ordinal)));

    private static async Task<JsonNode> PostAsync(HttpClient client, string path, string body)
    {
        using var response = await client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }
}
