using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Octavia.EndToEnd;

/// <summary>
/// The real client (Debian's python3-openstackclient and python3-octaviaclient) against a real
/// <c>octavia all</c> process: the seed's basic scenario, command by command, on the no-op drivers. lb1 is
/// created with a POST on a made-up subnet id (the no-op network driver checks none); NetworkCliTests shows
/// <c>--vip-subnet-id public-subnet</c> resolved through the networking API.
/// </summary>
public sealed class CliScenarioTests
{
    [Fact]
    public async Task SeedScenario_EveryCommandSucceeds_WithUpstreamFields()
    {
        using var dir = new TestDirectory();
        var port = OctaviaProcess.FreePort();
        dir.WriteConfig($"""
            [api_settings]
            bind_host = 127.0.0.1
            bind_port = {port}
            """);
        using var octavia = OctaviaProcess.Start(dir.ConfigFile, "all");
        var endpoint = $"http://127.0.0.1:{port}";
        using var client = new HttpClient { BaseAddress = new Uri(endpoint) };
        await OctaviaProcess.WaitForApiAsync(client, octavia);

        using var create = await client.PostAsync("/v2/lbaas/loadbalancers", new StringContent(
            """{"loadbalancer": {"name": "lb1", "vip_subnet_id": "8a2b7c1e-4d3f-4a5b-9c6d-7e8f9a0b1c2d", "tags": ["seed"]}}""",
            Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);

        var cli = new OpenStackCli(endpoint);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonNode lb;
        do
        {
            lb = await cli.JsonAsync("loadbalancer", "show", "lb1", "-f", "json");
        }
        while (lb["provisioning_status"]!.GetValue<string>() != "ACTIVE" && DateTime.UtcNow < deadline);
        AssertFields(lb, "id", "name", "vip_address", "vip_port_id", "vip_subnet_id", "provisioning_status", "operating_status", "provider", "project_id", "flavor_id", "availability_zone");

        var listener = await cli.JsonAsync("loadbalancer", "listener", "create", "--name", "listener1", "--protocol", "HTTP", "--protocol-port", "80", "--wait", "lb1", "-f", "json");
        Assert.Equal("ACTIVE", listener["provisioning_status"]!.GetValue<string>());
        var pool = await cli.JsonAsync("loadbalancer", "pool", "create", "--name", "pool1", "--lb-algorithm", "ROUND_ROBIN", "--listener", "listener1", "--protocol", "HTTP", "--wait", "-f", "json");
        Assert.Equal("ACTIVE", pool["provisioning_status"]!.GetValue<string>());
        var monitor = await cli.JsonAsync("loadbalancer", "healthmonitor", "create", "--delay", "5", "--max-retries", "4", "--timeout", "10", "--type", "HTTP", "--url-path", "/healthcheck", "--wait", "pool1", "-f", "json");
        Assert.Equal("ONLINE", monitor["operating_status"]!.GetValue<string>());
        AssertFields(monitor, "delay", "max_retries", "max_retries_down", "timeout", "type", "url_path", "http_method", "expected_codes", "pools");
        foreach (var address in new[] { "192.0.2.10", "192.0.2.11" })
        {
            var member = await cli.JsonAsync("loadbalancer", "member", "create", "--address", address, "--protocol-port", "80", "--wait", "pool1", "-f", "json");
            Assert.Equal(address, member["address"]!.GetValue<string>());
            Assert.Equal("ACTIVE", member["provisioning_status"]!.GetValue<string>());
        }

        var status = await cli.JsonAsync("loadbalancer", "status", "show", "lb1");
        var tree = status["loadbalancer"]!;
        Assert.Equal("ACTIVE", tree["provisioning_status"]!.GetValue<string>());
        var statusPool = tree["listeners"]![0]!["pools"]![0]!;
        Assert.Equal(2, statusPool["members"]!.AsArray().Count);
        Assert.Equal("HTTP", statusPool["health_monitor"]!["type"]!.GetValue<string>());

        var stats = await cli.JsonAsync("loadbalancer", "stats", "show", "lb1", "-f", "json");
        AssertFields(stats, "active_connections", "bytes_in", "bytes_out", "request_errors", "total_connections");

        var tagged = await cli.JsonAsync("loadbalancer", "list", "--tags", "seed", "-f", "json");
        Assert.Equal("lb1", tagged.AsArray().Single()!["name"]!.GetValue<string>());

        var shown = await cli.JsonAsync("loadbalancer", "listener", "show", "listener1", "-f", "json");
        AssertFields(shown, "id", "name", "protocol", "protocol_port", "connection_limit", "default_pool_id", "loadbalancers", "insert_headers",
            "timeout_client_data", "timeout_member_connect", "timeout_member_data", "timeout_tcp_inspect", "provisioning_status", "operating_status");
        Assert.Equal(pool["id"]!.GetValue<string>(), shown["default_pool_id"]!.GetValue<string>());

        await cli.RunAsync("loadbalancer", "delete", "--cascade", "--wait", "lb1");
        var left = await cli.JsonAsync("loadbalancer", "list", "-f", "json");
        Assert.Empty(left.AsArray());
    }

    private static void AssertFields(JsonNode node, params string[] fields)
    {
        foreach (var field in fields)
        {
            Assert.True(node.AsObject().ContainsKey(field), $"missing {field} in {node.ToJsonString()}");
        }
    }
}
