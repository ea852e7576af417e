using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Octavia.EndToEnd.Dataplane;

/// <summary>
/// A real single-host cloud for data-path tests: <c>octavia all</c> with the netns compute, local network
/// and REST amphora drivers, its networks made by <c>network init</c>. Disposing it stops the process and
/// runs <c>octavia network clean</c>, so no namespace, link or HAProxy outlives the tests even on failure, and
/// fails if any (or the guard table) is left.
/// </summary>
public class Dataplane : ApiCalls, IAsyncLifetime
{
    private readonly TestDirectory _dir = new();
    private OctaviaProcess? _octavia;
    private int _port;
    private int _networkPort;

    public string PublicSubnetId { get; private set; } = "";

    public string PrivateSubnetId { get; private set; } = "";

    public string ConfigFile => _dir.ConfigFile;

    /// <summary>A clouds.yaml like docs/clouds.yaml, pointing at this cloud's two APIs (cloud <c>octavia-noauth</c>).</summary>
    public string CloudsYaml => Path.Combine(_dir.Path, "clouds.yaml");

    /// <summary>The real client as a user runs it: <c>OS_CLOUD=octavia-noauth</c>, so commands are written verbatim.</summary>
    public OpenStackCli CloudCli => OpenStackCli.FromCloudsYaml(CloudsYaml, "octavia-noauth");

    /// <summary>The networking API (<c>[network_api]</c>).</summary>
    public Uri NetworkApi => new($"http://127.0.0.1:{_networkPort}");

    /// <summary>The state directory (database, certificates, amphora files).</summary>
    public string StatePath => _dir.Path;

    /// <summary>Sections appended to the cloud's octavia.conf (a fixture's own settings).</summary>
    protected virtual string ExtraConfig => "";

    public override string Output => _octavia?.Output ?? "";

    /// <summary>A connection limit whose configuration the amphorae's HAProxy check refuses (see <see cref="InitializeAsync"/>).</summary>
    public const int RefusedConnectionLimit = 4242;

    public async ValueTask InitializeAsync()
    {
        _port = OctaviaProcess.FreePort();
        _networkPort = OctaviaProcess.FreePort();
        await File.WriteAllTextAsync(CloudsYaml, $$"""
            clouds:
              octavia-noauth:
                auth_type: none
                auth:
                  endpoint: http://127.0.0.1:{{_networkPort}}
                load_balancer_endpoint_override: http://127.0.0.1:{{_port}}

            """);

        // The real HAProxy, except that `haproxy -c` refuses a configuration with the refused limit in it:
        // how a test makes validation fail on the amphora for a configuration the API accepts.
        var haproxy = Path.Combine(_dir.Path, "haproxy");
        await File.WriteAllTextAsync(haproxy, $$"""
            #!/bin/sh
            if [ "$1" = "-c" ]; then
              for f in "$@"; do
                if [ -f "$f" ] && grep -q "maxconn {{RefusedConnectionLimit}}$" "$f"; then
                  echo "[ALERT] (test) maxconn {{RefusedConnectionLimit}} is refused by this HAProxy" >&2
                  exit 1
                fi
              done
            fi
            exec /usr/sbin/haproxy "$@"

            """);
        File.SetUnixFileMode(haproxy, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_port}") };
        await StartAsync(ExtraConfig);
        var (code, output) = await OctaviaProcess.RunAsync(_dir.ConfigFile, "network", "list");
        Assert.True(code == 0, output);
        PublicSubnetId = SubnetId(output, "public-subnet");
        PrivateSubnetId = SubnetId(output, "private-subnet");
    }

    /// <summary>
    /// Stops <c>octavia all</c> (SIGKILL: amphorae and servers outlive it, as VMs outlive a controller) and
    /// starts it again with <paramref name="extraConfig"/> appended to its configuration.
    /// </summary>
    public async Task RestartAsync(string extraConfig)
    {
        _octavia?.Kill();
        _octavia?.Dispose();
        await StartAsync(extraConfig);
    }

    private async Task StartAsync(string extraConfig)
    {
        _dir.WriteConfig($"""
            [api_settings]
            bind_host = 127.0.0.1
            bind_port = {_port}

            [network_api]
            bind_host = 127.0.0.1
            bind_port = {_networkPort}

            [controller_worker]
            compute_driver = compute_netns_driver
            network_driver = network_local_driver
            amphora_driver = amphora_haproxy_rest_driver

            [local_compute]
            haproxy_cmd = {Path.Combine(_dir.Path, "haproxy")}

            {extraConfig}
            """);
        _octavia = OctaviaProcess.Start(_dir.ConfigFile, "all");
        await OctaviaProcess.WaitForApiAsync(Api, _octavia);
    }

    /// <summary>A load balancer with one listener on :80 whose default pool has the given backends (started here).</summary>
    public async Task<(string LbId, string Vip, JsonNode Lb)> LoadBalancerWithBackendsAsync(string listener, string pool, params string[] backends)
    {
        foreach (var address in backends)
        {
            await ServerAsync("start", "--subnet", "private-subnet", "--address", address);
        }

        var members = string.Join(", ", backends.Select(a => $$"""{"address": "{{a}}", "protocol_port": 80, "subnet_id": "{{PrivateSubnetId}}"}"""));
        var created = await PostAsync("/v2/lbaas/loadbalancers", $$"""
            {"loadbalancer": {"vip_subnet_id": "{{PublicSubnetId}}", "listeners": [{"protocol_port": 80, {{listener}},
              "default_pool": { "name": "pool1", {{pool}}, "members": [{{members}}]} }]} }
            """);
        var lb = created["loadbalancer"]!;
        var lbId = lb["id"]!.GetValue<string>();
        await WaitForActiveAsync(lbId);
        return (lbId, lb["vip_address"]!.GetValue<string>(), lb);
    }

    /// <summary>Cascade-deletes the load balancer and stops its backends.</summary>
    public async Task DeleteWithBackendsAsync(string lbId, params string[] backends)
    {
        await DeleteAsync($"/v2/lbaas/loadbalancers/{lbId}?cascade=true");
        await WaitForGoneAsync(lbId);
        foreach (var address in backends)
        {
            // Best effort: a failure here must not hide the test's own.
            await OctaviaProcess.RunAsync(ConfigFile, "server", "stop", address);
        }
    }

    /// <summary>A TCP server on private-subnet: it writes <c>address:port</c>, then echoes.</summary>
    public Task TcpServerAsync(string address, int port)
    {
        var p = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return ServerAsync("start", "--subnet", "private-subnet", "--address", address, "--",
            "dotnet", OctaviaProcess.OctaviaDll, "server", "serve", "--address", address, "--port", p, "--protocol", "tcp");
    }

    private static string SubnetId(string table, string name) => SubnetRow(table, name)[3];

    /// <summary>The row of <c>octavia network list</c> for a subnet: network, network id, subnet, subnet id, cidr, bridge, host address.</summary>
    public static string[] SubnetRow(string table, string name) =>
        table.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).First(c => c.Length > 4 && c[2] == name);

    public async ValueTask DisposeAsync()
    {
        _octavia?.Kill();
        // Whatever load balancers a test left go with the networks (network clean refuses otherwise).
        await OctaviaProcess.RunAsync(_dir.ConfigFile, "network", "clean", "--delete-load-balancers");
        _octavia?.Dispose();
        Api.Dispose();
        _dir.Dispose();
        GC.SuppressFinalize(this);

        // Whatever the tests did or left, nothing of this cloud outlives it (DESIGN.md "Host safety").
        var (namespaces, links, haproxies) = await LeftoversAsync();
        var guard = (await RunAsync("nft", "list", "tables")).Contains("octavia_guard", StringComparison.Ordinal);
        if (namespaces.Count + links.Count + haproxies.Count > 0 || guard)
        {
            throw new InvalidOperationException($"network clean left namespaces [{string.Join(", ", namespaces)}], links [{string.Join(", ", links)}], "
                + $"HAProxies [{string.Join(", ", haproxies)}]{(guard ? ", the table inet octavia_guard" : "")}.");
        }
    }

    public async Task ServerAsync(params string[] arguments)
    {
        var (code, output) = await OctaviaProcess.RunAsync(_dir.ConfigFile, ["server", .. arguments]);
        Assert.True(code == 0, $"octavia server {string.Join(' ', arguments)} failed:\n{output}");
    }

    /// <summary>
    /// The namespaces and links with the <c>octavia-</c> prefix, and the live HAProxy processes of amphorae
    /// (their configuration is under a state directory's <c>amp/</c>). Waits up to 3 s for processes that
    /// were just killed to go.
    /// </summary>
    public static async Task<(List<string> Namespaces, List<string> Links, List<string> Haproxies)> LeftoversAsync()
    {
        for (var attempt = 0; ; attempt++)
        {
            var ns = (await RunAsync("ip", "netns", "list")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0])
                .Where(n => n.StartsWith("octavia-", StringComparison.Ordinal)).ToList();
            var links = (await RunAsync("ip", "-o", "link", "show")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.Split(':')[1].Trim().Split('@')[0]).Where(n => n.StartsWith("octavia-", StringComparison.Ordinal)).ToList();
            var haproxies = Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(p => p!.All(char.IsDigit))
                .Select(p => ReadProc(p!, "cmdline").Replace('\0', ' ') + (ReadProc(p!, "stat").Split(' ').ElementAtOrDefault(2) == "Z" ? " (zombie)" : ""))
                .Where(c => c.Contains("haproxy", StringComparison.Ordinal) && c.Contains("amp/", StringComparison.Ordinal) && !c.EndsWith("(zombie)", StringComparison.Ordinal))
                .ToList();
            if ((ns.Count == 0 && haproxies.Count == 0) || attempt >= 30)
            {
                return (ns, links, haproxies);
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    private static string ReadProc(string pid, string file)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/{file}");
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }

    public static async Task<string> RunAsync(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return output;
    }
}

/// <summary>The v2 API calls the data-path tests make, asserting success and waiting on provisioning status.</summary>
public class ApiCalls
{
    private readonly Func<string>? _output;

    protected ApiCalls()
    {
    }

    public ApiCalls(HttpClient api, Func<string> output)
    {
        Api = api;
        _output = output;
    }

    public HttpClient Api { get; protected set; } = null!;

    /// <summary>The real <c>openstack</c> client pointed at the same API.</summary>
    public OpenStackCli Cli => new(Api.BaseAddress!.GetLeftPart(UriPartial.Authority));

    /// <summary>The service's log, for failure messages.</summary>
    public virtual string Output => _output?.Invoke() ?? "";

    public async Task<JsonNode> PostAsync(string path, string body)
    {
        using var response = await Api.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    public async Task<JsonNode> PutAsync(string path, string body)
    {
        using var response = await Api.PutAsync(path, new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"PUT {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    public async Task DeleteAsync(string path)
    {
        using var response = await Api.DeleteAsync(path, TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"DELETE {path}: {(int)response.StatusCode}");
    }

    public async Task<JsonNode> GetAsync(string path) =>
        JsonNode.Parse(await Api.GetStringAsync(path, TestContext.Current.CancellationToken))!;

    /// <summary>Waits until the load balancer is ACTIVE (fails on ERROR, with the service's log).</summary>
    public async Task<JsonNode> WaitForActiveAsync(string lbId, double seconds = 60)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            using var response = await Api.GetAsync($"/v2/lbaas/loadbalancers/{lbId}", TestContext.Current.CancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                throw new InvalidOperationException($"Load balancer {lbId} is gone.");
            }

            var lb = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["loadbalancer"]!;
            var status = lb["provisioning_status"]!.GetValue<string>();
            if (status == "ACTIVE")
            {
                return lb;
            }

            Assert.True(status != "ERROR" && watch.Elapsed.TotalSeconds < seconds, $"Load balancer {lbId} is {status}.\n{Output}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Waits until a deleted load balancer is gone.</summary>
    public async Task WaitForGoneAsync(string lbId, double seconds = 60)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            using var response = await Api.GetAsync($"/v2/lbaas/loadbalancers/{lbId}", TestContext.Current.CancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound
                || JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["loadbalancer"]!["provisioning_status"]!.GetValue<string>() == "DELETED")
            {
                return;
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"Load balancer {lbId} was not deleted.\n{Output}");
    }

}

/// <summary>Requests through a VIP from the host, counting which backend answered.</summary>
public static class Traffic
{
    /// <summary>
    /// Sends <paramref name="count"/> GETs, each on a new connection, and counts the bodies (a failed
    /// request counts as <c>error</c>, a non-2xx answer as <c>HTTP nnn</c>).
    /// </summary>
    public static async Task<Dictionary<string, int>> CountAsync(string url, int count, HttpClient? client = null, double timeoutSeconds = 5)
    {
        var own = client is null;
        client ??= new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(timeoutSeconds) };
        try
        {
            var counts = new Dictionary<string, int>();
            for (var i = 0; i < count; i++)
            {
                string body;
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, url);
                    request.Headers.ConnectionClose = true;
                    using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
                    body = response.IsSuccessStatusCode
                        ? (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Trim()
                        : $"HTTP {(int)response.StatusCode}";
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !TestContext.Current.CancellationToken.IsCancellationRequested)
                {
                    body = "error";
                }

                counts[body] = counts.GetValueOrDefault(body) + 1;
            }

            return counts;
        }
        finally
        {
            if (own)
            {
                client.Dispose();
            }
        }
    }
}
