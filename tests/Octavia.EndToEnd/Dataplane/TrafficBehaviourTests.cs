using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Octavia.EndToEnd.Dataplane;

/// <summary>
/// Each listener and pool option shows its behaviour in real traffic through a real amphora: algorithms,
/// session persistence, TCP listeners, header insertion, allowed CIDRs and the connection limit.
/// </summary>
[Collection("dataplane")]
public sealed class TrafficBehaviourTests(Dataplane cloud)
{
    private Task<(string LbId, string Vip, JsonNode Lb)> CreateAsync(string listener, string pool, params string[] backends) =>
        cloud.LoadBalancerWithBackendsAsync(listener, pool, backends);

    private Task DeleteAsync(string lbId, params string[] backends) => cloud.DeleteWithBackendsAsync(lbId, backends);

    private static HttpClient NewClient(bool cookies = false, int timeoutSeconds = 10) =>
        new(new SocketsHttpHandler { UseCookies = cookies, CookieContainer = new CookieContainer(), PooledConnectionLifetime = TimeSpan.Zero })
        {
            Timeout = TimeSpan.FromSeconds(timeoutSeconds),
        };

    private static async Task<string> GetAsync(HttpClient client, string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.ConnectionClose = true;
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        return (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Trim();
    }

    [Fact]
    public async Task RoundRobin_Alternates_AndWeightsShareInProportion()
    {
        var (lbId, vip, lb) = await CreateAsync("\"protocol\": \"HTTP\"", "\"protocol\": \"HTTP\", \"lb_algorithm\": \"ROUND_ROBIN\"", "192.0.2.30", "192.0.2.31");
        try
        {
            var counts = await Traffic.CountAsync($"http://{vip}/", 40);
            Assert.Equal(20, counts.GetValueOrDefault("192.0.2.30:80"));
            Assert.Equal(20, counts.GetValueOrDefault("192.0.2.31:80"));

            // Re-weighted 1:3, the next 40 requests follow the weights, as soon as the change is ACTIVE.
            var poolId = lb["listeners"]![0]!["default_pool_id"]!.GetValue<string>();
            var members = (await cloud.GetAsync($"/v2/lbaas/pools/{poolId}/members"))["members"]!.AsArray();
            var heavy = members.First(m => m!["address"]!.GetValue<string>() == "192.0.2.31")!["id"]!.GetValue<string>();
            await cloud.PutAsync($"/v2/lbaas/pools/{poolId}/members/{heavy}", """{"member": {"weight": 3} }""");
            await cloud.WaitForActiveAsync(lbId);
            counts = await Traffic.CountAsync($"http://{vip}/", 40);
            Assert.Equal(10, counts.GetValueOrDefault("192.0.2.30:80"));
            Assert.Equal(30, counts.GetValueOrDefault("192.0.2.31:80"));
        }
        finally
        {
            await DeleteAsync(lbId, "192.0.2.30", "192.0.2.31");
        }
    }

    [Fact]
    public async Task LeastConnections_SendsNewRequestsAwayFromTheBusyBackend()
    {
        var (lbId, vip, _) = await CreateAsync("\"protocol\": \"HTTP\"", "\"protocol\": \"HTTP\", \"lb_algorithm\": \"LEAST_CONNECTIONS\"", "192.0.2.32", "192.0.2.33");
        try
        {
            using var client = NewClient();
            using var patient = NewClient(timeoutSeconds: 30);
            // One slow request holds a connection on one backend; every quick request meanwhile goes to the other.
            // Two seconds for it to reach its backend even on a busy machine (it failed at 300 ms, and
            // now and then at 1 s while the whole suite ran on two cores). It lasts 15 s so that it is still
            // held when the ten quick ones end: with 6 s, ten quick requests once took more than the 4 s left
            // on a loaded CI machine, and the last ones were rightly shared again.
            var slow = GetAsync(patient, $"http://{vip}/?delay=15000");
            await Task.Delay(2000, TestContext.Current.CancellationToken);
            var quick = new List<string>();
            for (var i = 0; i < 10; i++)
            {
                quick.Add(await GetAsync(client, $"http://{vip}/"));
            }

            Assert.False(slow.IsCompleted, "The slow request ended before the quick ones did; the test proves nothing then.");
            var busy = await slow;
            Assert.All(quick, q => Assert.NotEqual(busy, q));
            Assert.Single(quick.Distinct());
        }
        finally
        {
            await DeleteAsync(lbId, "192.0.2.32", "192.0.2.33");
        }
    }

    [Theory]
    [InlineData("SOURCE_IP", "192.0.2.34", "192.0.2.35")]
    [InlineData("SOURCE_IP_PORT", "192.0.2.36", "192.0.2.37")]
    public async Task SourceHashing_KeepsOneClientAddressOnOneBackend_UnlessThePortCounts(string algorithm, string a, string b)
    {
        var (lbId, vip, _) = await CreateAsync("\"protocol\": \"HTTP\"", $"\"protocol\": \"HTTP\", \"lb_algorithm\": \"{algorithm}\"", a, b);
        try
        {
            // Every request comes from the host's 203.0.113.1, each on a new connection (a new source port).
            var counts = await Traffic.CountAsync($"http://{vip}/", 40);
            if (algorithm == "SOURCE_IP")
            {
                Assert.Single(counts);
            }
            else
            {
                Assert.Equal(2, counts.Count);
            }
        }
        finally
        {
            await DeleteAsync(lbId, a, b);
        }
    }

    [Fact]
    public async Task HttpCookiePersistence_KeepsAClientOnItsBackend()
    {
        var (lbId, vip, _) = await CreateAsync("\"protocol\": \"HTTP\"",
            "\"protocol\": \"HTTP\", \"lb_algorithm\": \"ROUND_ROBIN\", \"session_persistence\": {\"type\": \"HTTP_COOKIE\"}", "192.0.2.38", "192.0.2.39");
        try
        {
            using var withCookies = NewClient(cookies: true);
            var first = await GetAsync(withCookies, $"http://{vip}/");
            for (var i = 0; i < 10; i++)
            {
                Assert.Equal(first, await GetAsync(withCookies, $"http://{vip}/"));
            }

            // A client that does not keep cookies is balanced again.
            using var withoutCookies = NewClient();
            Assert.Equal(2, (await Traffic.CountAsync($"http://{vip}/", 10, withoutCookies)).Count);
        }
        finally
        {
            await DeleteAsync(lbId, "192.0.2.38", "192.0.2.39");
        }
    }

    [Fact]
    public async Task AppCookiePersistence_FollowsTheApplicationsCookie()
    {
        var (lbId, vip, _) = await CreateAsync("\"protocol\": \"HTTP\"",
            "\"protocol\": \"HTTP\", \"lb_algorithm\": \"ROUND_ROBIN\", \"session_persistence\": {\"type\": \"APP_COOKIE\", \"cookie_name\": \"JSESSIONID\"}",
            "192.0.2.40", "192.0.2.41");
        try
        {
            using var withCookies = NewClient(cookies: true);
            var first = await GetAsync(withCookies, $"http://{vip}/session");
            for (var i = 0; i < 10; i++)
            {
                Assert.Equal(first, await GetAsync(withCookies, $"http://{vip}/"));
            }

            Assert.Equal(2, (await Traffic.CountAsync($"http://{vip}/", 10)).Count);
        }
        finally
        {
            await DeleteAsync(lbId, "192.0.2.40", "192.0.2.41");
        }
    }

    [Fact]
    public async Task SourceIpPersistence_KeepsTheHostOnOneBackend()
    {
        var (lbId, vip, _) = await CreateAsync("\"protocol\": \"HTTP\"",
            "\"protocol\": \"HTTP\", \"lb_algorithm\": \"ROUND_ROBIN\", \"session_persistence\": {\"type\": \"SOURCE_IP\"}", "192.0.2.42", "192.0.2.43");
        try
        {
            Assert.Single(await Traffic.CountAsync($"http://{vip}/", 20));
        }
        finally
        {
            await DeleteAsync(lbId, "192.0.2.42", "192.0.2.43");
        }
    }

    [Fact]
    public async Task TcpListener_ForwardsRawBytes()
    {
        var created = await cloud.PostAsync("/v2/lbaas/loadbalancers", $$"""
            {"loadbalancer": {"vip_subnet_id": "{{cloud.PublicSubnetId}}", "listeners": [{"protocol": "TCP", "protocol_port": 7000,
              "default_pool": {"name": "pool1", "protocol": "TCP", "lb_algorithm": "ROUND_ROBIN",
                "members": [{"address": "192.0.2.44", "protocol_port": 7000, "subnet_id": "{{cloud.PrivateSubnetId}}"}]} }]} }
            """);
        var lbId = created["loadbalancer"]!["id"]!.GetValue<string>();
        var vip = created["loadbalancer"]!["vip_address"]!.GetValue<string>();
        await cloud.TcpServerAsync("192.0.2.44", 7000);
        try
        {
            await cloud.WaitForActiveAsync(lbId);
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Parse(vip), 7000, TestContext.Current.CancellationToken);
            var stream = tcp.GetStream();
            var payload = Encoding.ASCII.GetBytes("not http at all\0\x01\x02\n");
            await stream.WriteAsync(payload, TestContext.Current.CancellationToken);
            var expected = Encoding.ASCII.GetBytes("192.0.2.44:7000\n").Concat(payload).ToArray();
            var received = new byte[expected.Length];
            await stream.ReadExactlyAsync(received, TestContext.Current.CancellationToken);
            Assert.Equal(expected, received);
        }
        finally
        {
            await DeleteAsync(lbId, "192.0.2.44");
        }
    }

    [Fact]
    public async Task HostApplication_IsReachableAsAMemberAtTheHostsPublicAddress()
    {
        // An application on the host itself, on the host's address on public (203.0.113.1).
        var port = OctaviaProcess.FreePort();
        using var application = OctaviaProcess.Start(null, "server", "serve", "--address", "203.0.113.1", "--port",
            port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--name", "host-application");
        await application.WaitForOutputAsync("Serving", TimeSpan.FromSeconds(10));
        var created = await cloud.PostAsync("/v2/lbaas/loadbalancers", $$"""
            {"loadbalancer": {"vip_subnet_id": "{{cloud.PublicSubnetId}}", "listeners": [{"protocol": "HTTP", "protocol_port": 80,
              "default_pool": {"name": "pool1", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN",
                "members": [{"address": "203.0.113.1", "protocol_port": {{port}}, "subnet_id": "{{cloud.PublicSubnetId}}"}]} }]} }
            """);
        var lbId = created["loadbalancer"]!["id"]!.GetValue<string>();
        try
        {
            await cloud.WaitForActiveAsync(lbId);
            var counts = await Traffic.CountAsync($"http://{created["loadbalancer"]!["vip_address"]!.GetValue<string>()}/", 5);
            Assert.True(counts.GetValueOrDefault("host-application") == 5, string.Join(", ", counts.Select(c => $"{c.Key} x{c.Value}")) + "\n" + application.Output);
        }
        finally
        {
            await DeleteAsync(lbId);
        }
    }

    [Fact]
    public async Task InsertHeaders_AddForwardedForPortAndProto()
    {
        var (lbId, vip, _) = await CreateAsync(
            "\"protocol\": \"HTTP\", \"insert_headers\": {\"X-Forwarded-For\": \"true\", \"X-Forwarded-Port\": \"true\", \"X-Forwarded-Proto\": \"true\"}",
            "\"protocol\": \"HTTP\", \"lb_algorithm\": \"ROUND_ROBIN\"", "192.0.2.45");
        try
        {
            using var client = NewClient();
            var headers = await GetAsync(client, $"http://{vip}/headers");
            Assert.Contains("X-Forwarded-For: 203.0.113.1", headers, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("X-Forwarded-Port: 80", headers, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("X-Forwarded-Proto: http", headers, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            await DeleteAsync(lbId, "192.0.2.45");
        }
    }

    [Fact]
    public async Task AllowedCidrs_RefuseASourceOutsideThem()
    {
        var (lbId, vip, lb) = await CreateAsync("\"protocol\": \"HTTP\", \"allowed_cidrs\": [\"198.51.100.0/24\"]",
            "\"protocol\": \"HTTP\", \"lb_algorithm\": \"ROUND_ROBIN\"", "192.0.2.46");
        try
        {
            using var client = NewClient();
            await Assert.ThrowsAsync<HttpRequestException>(() => GetAsync(client, $"http://{vip}/"));

            var listenerId = lb["listeners"]![0]!["id"]!.GetValue<string>();
            await cloud.PutAsync($"/v2/lbaas/listeners/{listenerId}", """{"listener": {"allowed_cidrs": ["198.51.100.0/24", "203.0.113.0/24"]} }""");
            await cloud.WaitForActiveAsync(lbId);
            Assert.Equal("192.0.2.46:80", await GetAsync(client, $"http://{vip}/"));
        }
        finally
        {
            await DeleteAsync(lbId, "192.0.2.46");
        }
    }

    [Fact]
    public async Task ConnectionLimit_CapsConcurrentConnections()
    {
        var (lbId, vip, _) = await CreateAsync("\"protocol\": \"HTTP\", \"connection_limit\": 2",
            "\"protocol\": \"HTTP\", \"lb_algorithm\": \"ROUND_ROBIN\"", "192.0.2.47");
        try
        {
            using var client = NewClient();
            // Two slow requests take both connections; a third waits until one of them ends.
            var slow = new[] { GetAsync(client, $"http://{vip}/?delay=2000"), GetAsync(client, $"http://{vip}/?delay=2000") };
            await Task.Delay(300, TestContext.Current.CancellationToken);
            var watch = Stopwatch.StartNew();
            Assert.Equal("192.0.2.47:80", await GetAsync(client, $"http://{vip}/"));
            Assert.True(watch.ElapsedMilliseconds > 1000, $"The third connection was served after {watch.ElapsedMilliseconds} ms, beside two others.");
            await Task.WhenAll(slow);

            // Without the slow ones, no wait.
            watch.Restart();
            await GetAsync(client, $"http://{vip}/");
            Assert.True(watch.ElapsedMilliseconds < 1000);
        }
        finally
        {
            await DeleteAsync(lbId, "192.0.2.47");
        }
    }
}
