using System.Net.Http;
using Octavia.Drivers.Amphora.Rest;
using Octavia.Drivers.Certificates.Local;

namespace Octavia.Drivers.Tests.Amphora;

/// <summary>
/// start / reload / stop / delete of a load balancer's HAProxy through the real agent API (reference/amphora.md
/// §3 #6-#8), with a real request through HAProxy to a real member.
/// </summary>
public sealed class AgentHaproxyLifecycleTests
{
    [Fact]
    public async Task StartReloadStopDelete_ServeThroughHaproxy_AndLeaveNothingBehind()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var agent = await AgentTestHost.StartAsync(ct);
        await using var lb = await LoopbackLoadBalancer.StartAsync(ct);
        using var client = agent.Client();

        await client.UploadHaproxyConfigAsync(agent.AmphoraId, lb.Id, lb.RenderConfig(agent.BasePath), ct);
        Assert.Equal($"Started haproxy-{lb.Id}", await client.StartAsync(lb.Id, ct));
        Assert.Equal("ok", await lb.GetAsync(ct));
        Assert.Contains("already running", await client.StartAsync(lb.Id, ct), StringComparison.Ordinal);
        var masters = HaproxyProcesses.Under(agent.BasePath);

        Assert.Equal($"Reloaded haproxy-{lb.Id}", await client.ReloadAsync(lb.Id, ct));
        Assert.Equal("ok", await lb.GetAsync(ct));
        Assert.True(File.Exists(Path.Combine(agent.BasePath, lb.Id, "servers-state")));
        Assert.Contains((lb.ListenerId, "HTTP"), await client.GetListenersAsync(ct));

        Assert.Equal($"Stopped haproxy-{lb.Id}", await client.StopAsync(lb.Id, ct));
        Assert.Empty(HaproxyProcesses.Under(agent.BasePath));
        await Assert.ThrowsAsync<HttpRequestException>(() => lb.GetAsync(ct));

        // Reload of a stopped HAProxy starts it.
        Assert.Equal($"Started haproxy-{lb.Id}", await client.ReloadAsync(lb.Id, ct));
        Assert.Equal("ok", await lb.GetAsync(ct));

        await client.DeleteListenersAsync(lb.Id, ct);
        Assert.Empty(HaproxyProcesses.Under(agent.BasePath));
        Assert.False(Directory.Exists(Path.Combine(agent.BasePath, lb.Id)));
        Assert.False(File.Exists(Path.Combine(agent.BasePath, lb.Id + ".sock")));
        Assert.Empty(await client.GetListenersAsync(ct));
        await client.DeleteListenersAsync(lb.Id, ct); // unknown now: still fine
        Assert.NotEmpty(masters);
    }

    [Fact]
    public async Task Actions_UnknownLoadBalancer404_UnknownAction400()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var agent = await AgentTestHost.StartAsync(ct);
        using var client = agent.Client();
        var unknown = await Assert.ThrowsAsync<AgentRequestException>(() => client.ReloadAsync(Guid.NewGuid().ToString(), ct));
        Assert.Equal(404, unknown.StatusCode);
        Assert.Contains("No loadbalancer with UUID", unknown.Details, StringComparison.Ordinal);
        var lb = Guid.NewGuid().ToString();
        using var http = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = new System.Net.Security.SslClientAuthenticationOptions
            {
                ClientCertificates = [System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(
                    agent.Authority.PathOf(LocalCertificateAuthority.ClientCertFile),
                    agent.Authority.PathOf(LocalCertificateAuthority.ClientCertFile))],
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            },
        })
        { BaseAddress = agent.Address };
        using var bad = await http.PutAsync($"/1.0/loadbalancer/{lb}/restart", null, ct);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task AgentRestart_LeavesHaproxyRunning_AndStartDoesNotStartASecondMaster()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var agent = await AgentTestHost.StartAsync(ct);
        await using var lb = await LoopbackLoadBalancer.StartAsync(ct);
        using (var client = agent.Client())
        {
            await client.UploadHaproxyConfigAsync(agent.AmphoraId, lb.Id, lb.RenderConfig(agent.BasePath), ct);
            await client.StartAsync(lb.Id, ct);
        }

        var before = HaproxyProcesses.Under(agent.BasePath);
        await agent.StopAgentAsync();
        Assert.Equal("ok", await lb.GetAsync(ct));
        Assert.Equal(before, HaproxyProcesses.Under(agent.BasePath));

        await agent.StartAgentAsync(ct);
        using var again = agent.Client();
        Assert.Contains("already running", await again.StartAsync(lb.Id, ct), StringComparison.Ordinal);
        Assert.Equal(before, HaproxyProcesses.Under(agent.BasePath));
        await again.StopAsync(lb.Id, ct);
        Assert.Empty(HaproxyProcesses.Under(agent.BasePath));
        await Assert.ThrowsAsync<HttpRequestException>(() => lb.GetAsync(ct));
    }
}
