using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Octavia.EndToEnd;

/// <summary>
/// The durability promise: a worker killed with SIGKILL in the middle of flows loses nothing. Another
/// worker resumes every claimed job from its last checkpoint once the lease expires, and every object
/// ends ACTIVE, ERROR or deleted — never PENDING_*.
/// </summary>
public sealed class WorkerCrashTests
{
    [Fact]
    public async Task KilledWorker_NewWorkerFinishesEveryFlow()
    {
        using var dir = new TestDirectory();
        var port = OctaviaProcess.FreePort();
        dir.WriteConfig($"""
            [api_settings]
            bind_host = 127.0.0.1
            bind_port = {port}

            [task_flow]
            max_workers = 4
            job_lease_seconds = 2
            job_poll_interval = 0.2

            [noop_drivers]
            delay = 0.1
            """);
        var (code, output) = await OctaviaProcess.RunAsync(dir.ConfigFile, "db", "upgrade");
        Assert.True(code == 0, output);

        using var api = OctaviaProcess.Start(dir.ConfigFile, "api");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await OctaviaProcess.WaitForApiAsync(client, api);

        // Thirty ACTIVE load balancers to update and delete later.
        var firstWorker = OctaviaProcess.Start(dir.ConfigFile, "worker");
        var existing = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            existing.Add(await CreateAsync(client, $"pre{i}"));
        }

        await WaitUntilAsync(client, existing, TimeSpan.FromSeconds(60));

        // Fifty operations: 20 creates, 20 updates, 10 deletes, then SIGKILL while they run.
        var created = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            created.Add(await CreateAsync(client, $"new{i}"));
        }

        var deleted = existing.Take(10).ToList();
        foreach (var id in existing.Skip(10))
        {
            var update = await SendAsync(client, HttpMethod.Put, $"/v2/lbaas/loadbalancers/{id}", """{"loadbalancer": {"description": "after crash"}}""");
            Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        }

        foreach (var id in deleted)
        {
            var response = await SendAsync(client, HttpMethod.Delete, $"/v2/lbaas/loadbalancers/{id}", null);
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        await Task.Delay(300, TestContext.Current.CancellationToken);
        firstWorker.Kill();
        firstWorker.Dispose();

        var pendingAtKill = await CountPendingAsync(client, existing.Concat(created));
        Assert.True(pendingAtKill > 0, "The worker finished everything before it was killed; the test proves nothing.");

        var restartedAt = DateTime.UtcNow;
        using var secondWorker = OctaviaProcess.Start(dir.ConfigFile, "worker");
        await WaitUntilAsync(client, existing.Concat(created), TimeSpan.FromSeconds(10));
        var settled = DateTime.UtcNow - restartedAt;

        foreach (var id in existing.Concat(created))
        {
            var status = await StatusAsync(client, id);
            if (deleted.Contains(id))
            {
                Assert.Equal("DELETED", status);
            }
            else
            {
                Assert.Equal("ACTIVE", status);
            }
        }

        TestContext.Current.SendDiagnosticMessage($"pending at kill: {pendingAtKill}; all settled {settled.TotalSeconds:F1} s after the new worker started");
        Assert.False(secondWorker.HasExited, secondWorker.Output);
        api.Kill();
    }

    private static async Task<string> CreateAsync(HttpClient client, string name)
    {
        var response = await SendAsync(client, HttpMethod.Post, "/v2/lbaas/loadbalancers",
            $$$"""{"loadbalancer": {"name": "{{{name}}}", "vip_subnet_id": "8a2b7c1e-4d3f-4a5b-9c6d-7e8f9a0b1c2d"}}""");
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return JsonNode.Parse(body)!["loadbalancer"]!["id"]!.GetValue<string>();
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string? body)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>provisioning_status, or DELETED when the API no longer shows the load balancer.</summary>
    private static async Task<string> StatusAsync(HttpClient client, string id)
    {
        using var response = await client.GetAsync($"/v2/lbaas/loadbalancers/{id}", TestContext.Current.CancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return "DELETED";
        }

        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        return json["loadbalancer"]!["provisioning_status"]!.GetValue<string>();
    }

    private static async Task<int> CountPendingAsync(HttpClient client, IEnumerable<string> ids)
    {
        var count = 0;
        foreach (var id in ids)
        {
            if ((await StatusAsync(client, id)).StartsWith("PENDING_", StringComparison.Ordinal))
            {
                count++;
            }
        }

        return count;
    }

    private static async Task WaitUntilAsync(HttpClient client, IEnumerable<string> ids, TimeSpan timeout)
    {
        var list = ids.ToList();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var pending = await CountPendingAsync(client, list);
            if (pending == 0)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{pending} load balancers still PENDING after {timeout.TotalSeconds} s");
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }
}
