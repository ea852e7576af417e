using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Octavia.Core.Amphorae;
using Octavia.Core.Configuration;
using Octavia.Core.Drivers;
using Octavia.Core.Model;
using Octavia.Core.Statuses;
using Octavia.Db;
using Octavia.Drivers.Certificates.Local;
using Octavia.Drivers.Local;

namespace Octavia.Drivers.Amphora.Rest;

/// <summary>
/// Upstream's <c>amphora_haproxy_rest_driver</c>: talks to each amphora's agent over two-way TLS
/// (reference/amphora.md §4): waits for a booting agent, plugs the VIP and member networks, renders
/// the load balancer's HAProxy configuration, uploads it and reloads HAProxy.
/// </summary>
public sealed class RestAmphoraDriver(
    IServiceScopeFactory scopes,
    IComputeDriver compute,
    INetworkDriver network,
    LocalCertificateAuthority authority,
    IOptions<RestAmphoraOptions> options,
    IOptions<HaproxyAmphoraOptions> haproxy,
    TimeProvider time,
    ILogger<RestAmphoraDriver> logger) : IAmphoraDriver
{
    public const string DriverName = "amphora_haproxy_rest_driver";

    private readonly Lazy<(X509Certificate2 Client, X509Certificate2 ServerCa)> _certificates = new(() =>
    {
        authority.Initialize();
        var client = authority.PathOf(LocalCertificateAuthority.ClientCertFile);
        return (X509Certificate2.CreateFromPemFile(client, client),
            X509Certificate2.CreateFromPem(File.ReadAllText(authority.PathOf(LocalCertificateAuthority.ServerCaCertFile))));
    });

    public string Name => DriverName;

    private async Task<T> DbAsync<T>(Func<OctaviaDbContext, Task<T>> work)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<OctaviaDbContext>());
    }

    /// <summary>
    /// One connection handler per amphora and address, so that the calls of a flow (plug the VIP, push the
    /// configuration, reload) and of the next flows reuse one TLS connection instead of a handshake each.
    /// </summary>
    private readonly ConcurrentDictionary<(string AmphoraId, string Address), SocketsHttpHandler> _handlers = new();

    /// <summary>Beyond this many amphorae seen, the handlers are dropped and made again as needed (amphorae come and go).</summary>
    private const int MaxHandlers = 4096;

    private AmphoraAgentClient ClientOf(Core.Model.Amphora amphora, TimeSpan? timeout = null)
    {
        var address = amphora.LbNetworkIp ?? throw new InvalidOperationException($"Amphora {amphora.Id} has no management address yet.");
        var host = address.Contains(':', StringComparison.Ordinal) ? $"[{address}]" : address;
        var requestTimeout = TimeSpan.FromSeconds(options.Value.RequestTimeout);
        if (_handlers.Count >= MaxHandlers)
        {
            // Disposing a handler in use would fail its request; dropping the references lets them go when done.
            _handlers.Clear();
        }

        var handler = _handlers.GetOrAdd((amphora.Id, address), key =>
        {
            var (client, serverCa) = _certificates.Value;
            return AmphoraAgentClient.NewHandler(key.AmphoraId, client, serverCa, requestTimeout);
        });
        return new AmphoraAgentClient(new Uri($"https://{host}:{options.Value.AgentPort}"), handler, ownsHandler: false, timeout ?? requestTimeout);
    }

    private Task<Core.Model.Amphora> AmphoraAsync(string amphoraId, CancellationToken cancellationToken) =>
        DbAsync(db => db.Amphorae.FirstAsync(a => a.Id == amphoraId, cancellationToken));

    public async Task WaitForAmphoraAsync(string amphoraId, CancellationToken cancellationToken)
    {
        using var client = ClientOf(await AmphoraAsync(amphoraId, cancellationToken));
        // A local amphora's agent answers a few hundred milliseconds after it starts: poll often (a refused
        // connection on this host costs next to nothing), so that ACTIVE follows the agent closely.
        await client.WaitUntilUpAsync(options.Value.ConnectionMaxRetries, TimeSpan.FromMilliseconds(20),
            TimeSpan.FromSeconds(options.Value.ConnectionRetryInterval), time, cancellationToken);
    }

    public async Task<bool> IsAnsweringAsync(string amphoraId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var amphora = await AmphoraAsync(amphoraId, cancellationToken);
        if (amphora.LbNetworkIp is null)
        {
            return false;
        }

        using var client = ClientOf(amphora, timeout);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        try
        {
            await client.WaitUntilUpAsync(int.MaxValue, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(500), time, bounded.Token);
            return true;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested
            && e is OperationCanceledException or HttpRequestException or AgentRequestException or System.Text.Json.JsonException)
        {
            logger.LogWarning("Amphora {Amphora} did not answer within {Timeout}: {Error}", amphoraId, timeout, e.Message);
            return false;
        }
    }

    public async Task UpdateCertificateAsync(string amphoraId, string pem, CancellationToken cancellationToken)
    {
        using var client = ClientOf(await AmphoraAsync(amphoraId, cancellationToken));
        await client.UpdateServerCertificateAsync(pem, cancellationToken);
    }

    public async Task PlugVipAsync(string amphoraId, CancellationToken cancellationToken)
    {
        var amphora = await AmphoraAsync(amphoraId, cancellationToken);
        var lb = await DbAsync(db => db.LoadBalancers.FirstAsync(x => x.Id == amphora.LoadBalancerId, cancellationToken));
        var ns = compute.NamespaceOf(amphora.ComputeId!);
        if (ns is null || lb.VipSubnetId is null)
        {
            // A process amphora answers on a loopback VIP: nothing to plug.
            return;
        }

        var port = await network.PlugAsync(new PlugRequest(amphora.Id, LocalNetworkDriver.AmphoraOwner, "octavia-lb-vrrp-" + amphora.Id, lb.VipSubnetId, ns),
            cancellationToken);
        using var client = ClientOf(amphora);
        // The routes the network driver gives a VIP port (the external range through a tenant subnet's router)
        // are how replies to a floating IP's clients find their way back.
        var routes = port.Routes?.Select(r => new HostRoute(r.Destination, r.Nexthop)).ToList();
        await client.PlugVipAsync(lb.VipAddress!, new PlugVipRequest(port.SubnetCidr, port.GatewayIp, port.MacAddress, port.Mtu, port.IpAddress,
            routes is { Count: > 0 } ? routes : null), cancellationToken);
        await DbAsync(db => db.Amphorae.Where(a => a.Id == amphora.Id).ExecuteUpdateAsync(x => x
            .SetProperty(a => a.VrrpIp, port.IpAddress)
            .SetProperty(a => a.VrrpPortId, port.PortId), cancellationToken));
    }

    public async Task UpdateLoadBalancerAsync(string loadBalancerId, CancellationToken cancellationToken)
    {
        var lb = await DbAsync(db => db.LoadBalancers.AsSplitQuery()
            .Include(x => x.Listeners).ThenInclude(l => l.L7Policies).ThenInclude(p => p.Rules)
            .Include(x => x.Pools).ThenInclude(p => p.Members)
            .Include(x => x.Pools).ThenInclude(p => p.HealthMonitor)
            .FirstAsync(x => x.Id == loadBalancerId, cancellationToken));
        var amphorae = await DbAsync(db => db.Amphorae
            .Where(a => a.LoadBalancerId == loadBalancerId && a.Status == AmphoraStatus.Allocated).ToListAsync(cancellationToken));
        foreach (var amphora in amphorae)
        {
            using var client = ClientOf(amphora);
            await PlugMemberSubnetsAsync(lb, amphora, client, cancellationToken);
            var config = HaproxyConfigRenderer.Render(lb, RenderOptionsFor(amphora));
            if (!config.Contains("\nfrontend ", StringComparison.Ordinal))
            {
                // Nothing left to serve: HAProxy goes, as upstream's DELETE /listeners/<lb> does.
                await client.DeleteListenersAsync(lb.Id, cancellationToken);
                continue;
            }

            try
            {
                await client.UploadHaproxyConfigAsync(amphora.Id, lb.Id, config, cancellationToken);
            }
            catch (AgentRequestException e) when (e.StatusCode == 400)
            {
                // HAProxy refused it; the amphora keeps serving its last good configuration.
                throw new PermanentDriverException($"Amphora {amphora.Id} refused the configuration of load balancer {lb.Id}: {e.Details}", e);
            }

            await client.ReloadAsync(lb.Id, cancellationToken);
            logger.LogInformation("Applied the configuration of load balancer {LoadBalancer} on amphora {Amphora}", lb.Id, amphora.Id);
        }
    }

    private HaproxyRenderOptions RenderOptionsFor(Core.Model.Amphora amphora)
    {
        var basePath = compute.BasePathOf(amphora.ComputeId ?? "");
        return new HaproxyRenderOptions
        {
            BasePath = basePath,
            CertDirectory = Path.Combine(basePath, "certs"),
            DefaultConnectionLimit = haproxy.Value.DefaultConnectionLimit,
            ConnectionLogging = haproxy.Value.ConnectionLogging ?? compute is not LocalComputeDriver,
        };
    }

    /// <summary>
    /// Every subnet a member of the load balancer is on gets a NIC in the amphora (upstream: a Neutron
    /// port plus <c>POST /plug/network</c>); a NIC no member needs any more is removed.
    /// </summary>
    private async Task PlugMemberSubnetsAsync(LoadBalancer lb, Core.Model.Amphora amphora, AmphoraAgentClient client, CancellationToken cancellationToken)
    {
        var ns = compute.NamespaceOf(amphora.ComputeId ?? "");
        if (ns is null)
        {
            return;
        }

        var needed = lb.Pools.Where(p => p.ProvisioningStatus != ProvisioningStatus.PendingDelete)
            .SelectMany(p => p.Members)
            .Where(m => m.ProvisioningStatus != ProvisioningStatus.PendingDelete && m.SubnetId is not null && m.SubnetId != lb.VipSubnetId)
            .Select(m => m.SubnetId!).ToHashSet();
        var ports = await network.PortsOfAsync(amphora.Id, cancellationToken);
        foreach (var subnetId in needed)
        {
            var port = await network.PlugAsync(new PlugRequest(amphora.Id, LocalNetworkDriver.AmphoraOwner, "octavia-amp-member-" + amphora.Id, subnetId, ns),
                cancellationToken);
            await client.PlugNetworkAsync(new PlugNetworkRequest(port.MacAddress, [new FixedIp(port.IpAddress, port.SubnetCidr)], port.Mtu), cancellationToken);
        }

        foreach (var stale in ports.Where(p => !needed.Contains(p.SubnetId) && p.SubnetId != lb.VipSubnetId && p.IpAddress != amphora.LbNetworkIp))
        {
            await network.UnplugAsync(stale.PortId, cancellationToken);
        }
    }

    public async Task UpdateAgentConfigAsync(string amphoraId, CancellationToken cancellationToken)
    {
        var amphora = await AmphoraAsync(amphoraId, cancellationToken);
        var file = compute is LocalComputeDriver local && amphora.ComputeId is { } computeId ? local.AgentConfigOf(computeId) : null;
        if (file is null || !File.Exists(file))
        {
            return;
        }

        using var client = ClientOf(amphora);
        await client.UpdateAgentConfigAsync(await File.ReadAllTextAsync(file, cancellationToken), cancellationToken);
    }
}

/// <summary>The controller's side of <c>[haproxy_amphora]</c>: how it reaches agents (reference/amphora.md §2.1).</summary>
public sealed class RestAmphoraOptions
{
    public const string SectionName = "haproxy_amphora";

    [Microsoft.Extensions.Configuration.ConfigurationKeyName("bind_port")] public int AgentPort { get; set; } = 9443;

    /// <summary>Attempts to reach a booting agent: with the default interval about a minute.</summary>
    [Microsoft.Extensions.Configuration.ConfigurationKeyName("connection_max_retries")] public int ConnectionMaxRetries { get; set; } = 1200;

    /// <summary>Upper bound, in seconds, of the wait between attempts (they start at 20 ms and grow by half).</summary>
    [Microsoft.Extensions.Configuration.ConfigurationKeyName("connection_retry_interval")] public double ConnectionRetryInterval { get; set; } = 0.05;

    [Microsoft.Extensions.Configuration.ConfigurationKeyName("rest_request_read_timeout")] public double RequestTimeout { get; set; } = 60;
}
