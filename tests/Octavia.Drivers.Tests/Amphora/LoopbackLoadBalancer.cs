using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Octavia.Core.Model;
using Octavia.Drivers.Amphora.Rest;

namespace Octavia.Drivers.Tests.Amphora;

/// <summary>
/// A load balancer whose VIP is a loopback address, with one HTTP listener and one member: a small Kestrel
/// server in the test answering "ok". Its configuration is rendered by <see cref="HaproxyConfigRenderer"/>, so the
/// settings under test are the ones amphorae get.
/// </summary>
public sealed class LoopbackLoadBalancer : IAsyncDisposable
{
    private readonly WebApplication _backend;

    private LoopbackLoadBalancer(WebApplication backend, IPEndPoint vip, IPEndPoint member)
    {
        _backend = backend;
        Vip = vip;
        Member = member;
    }

    public string Id { get; } = Guid.NewGuid().ToString();

    public string ListenerId { get; } = Guid.NewGuid().ToString();

    public string PoolId { get; } = Guid.NewGuid().ToString();

    public string MemberId { get; } = Guid.NewGuid().ToString();

    public IPEndPoint Vip { get; }

    public IPEndPoint Member { get; }

    public static async Task<LoopbackLoadBalancer> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var backend = builder.Build();
        backend.MapGet("/", () => Results.Text("ok"));
        await backend.StartAsync(cancellationToken);
        var memberPort = new Uri(backend.Urls.First()).Port;
        // A loopback address of its own, so that parallel tests never share a VIP.
        var vip = new IPAddress([127, 0, (byte)Random.Shared.Next(1, 255), (byte)Random.Shared.Next(1, 255)]);
        return new LoopbackLoadBalancer(backend, new IPEndPoint(vip, FreePort(vip)), new IPEndPoint(IPAddress.Loopback, memberPort));
    }

    private static int FreePort(IPAddress address)
    {
        using var probe = new TcpListener(address, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <param name="configure">Changes the load balancer before rendering: a connection limit, a health monitor, more members.</param>
    public string RenderConfig(string basePath, Action<LoadBalancer>? configure = null)
    {
        var now = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var lb = new LoadBalancer
        {
            Id = Id,
            ProjectId = "project1",
            ProvisioningStatus = "ACTIVE",
            OperatingStatus = "ONLINE",
            Provider = "amphora",
            VipAddress = Vip.Address.ToString(),
            CreatedAt = now,
        };
        var listener = new Listener
        {
            Id = ListenerId,
            ProjectId = lb.ProjectId,
            LoadBalancerId = lb.Id,
            ProvisioningStatus = "ACTIVE",
            OperatingStatus = "ONLINE",
            Protocol = "HTTP",
            ProtocolPort = Vip.Port,
            TimeoutClientData = 50000,
            TimeoutMemberConnect = 5000,
            TimeoutMemberData = 50000,
            CreatedAt = now,
        };
        lb.Listeners.Add(listener);
        var pool = new Pool
        {
            Id = PoolId,
            ProjectId = lb.ProjectId,
            LoadBalancerId = lb.Id,
            ProvisioningStatus = "ACTIVE",
            OperatingStatus = "ONLINE",
            Protocol = "HTTP",
            LbAlgorithm = "ROUND_ROBIN",
            CreatedAt = now,
        };
        lb.Pools.Add(pool);
        listener.DefaultPoolId = pool.Id;
        pool.Members.Add(TestModels.Member(pool, MemberId, Member.Address.ToString(), Member.Port, now));
        configure?.Invoke(lb);
        return HaproxyConfigRenderer.Render(lb, new HaproxyRenderOptions { BasePath = basePath, CertDirectory = Path.Combine(basePath, "certs") });
    }

    /// <summary>One GET through HAProxy on a new connection.</summary>
    public async Task<string> GetAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        return await http.GetStringAsync($"http://{Vip}/", cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _backend.StopAsync();
        await _backend.DisposeAsync();
    }
}
