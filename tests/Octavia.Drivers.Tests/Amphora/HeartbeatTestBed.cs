using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Octavia.Amphora;
using Octavia.Amphora.Haproxy;
using Octavia.Amphora.Health;
using Octavia.Core.Health;
using Octavia.Core.Model;

namespace Octavia.Drivers.Tests.Amphora;

/// <summary>
/// What a heartbeat test needs: a temporary agent base path, a load balancer's HAProxy started there the way the
/// agent starts it (<see cref="HaproxyProcessManager"/>), UDP receivers on loopback, and heartbeat senders reading
/// that base path. Disposing it disposes the senders and receivers, kills every HAProxy under the base path and
/// removes it.
/// </summary>
public sealed class HeartbeatTestBed : IAsyncDisposable
{
    public const string Key = "heartbeat-test-key";

    /// <summary>Generous: only a broken sender or HAProxy ever waits this long.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly List<Socket> _receivers = [];
    private readonly List<HeartbeatSender> _senders = [];
    private readonly AgentBindOptions _bind;

    public HeartbeatTestBed()
    {
        BasePath = Path.Combine(Path.GetTempPath(), "octavia-hb-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(BasePath);
        _bind = new AgentBindOptions { BasePath = BasePath };
        Haproxy = new HaproxyProcessManager(_bind, NullLogger<HaproxyProcessManager>.Instance, TimeProvider.System);
    }

    public string BasePath { get; }

    public string AmphoraId { get; } = Guid.NewGuid().ToString();

    public HaproxyProcessManager Haproxy { get; }

    public LoopbackLoadBalancer LoadBalancer { get; private set; } = null!;

    public string CountersFile => Path.Combine(BasePath, StatsCountersFile.FileName);

    /// <summary>Renders the load balancer's configuration into the base path and starts its HAProxy.</summary>
    public async Task StartLoadBalancerAsync(Action<LoadBalancer>? configure, CancellationToken cancellationToken)
    {
        LoadBalancer = await LoopbackLoadBalancer.StartAsync(cancellationToken);
        Directory.CreateDirectory(Haproxy.DirectoryOf(LoadBalancer.Id));
        await File.WriteAllTextAsync(Haproxy.ConfigFileOf(LoadBalancer.Id), LoadBalancer.RenderConfig(BasePath, configure), cancellationToken);
        await Haproxy.StartAsync(LoadBalancer.Id, cancellationToken);
    }

    /// <summary>Stops HAProxy and starts a new one: its counters start again from zero.</summary>
    public async Task RestartHaproxyAsync(CancellationToken cancellationToken)
    {
        await Haproxy.StopAsync(LoadBalancer.Id, cancellationToken);
        await Haproxy.StartAsync(LoadBalancer.Id, cancellationToken);
    }

    /// <summary>A UDP socket on <paramref name="address"/>, port 0.</summary>
    public Socket NewReceiver(IPAddress address)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _receivers.Add(socket);
        socket.Bind(new IPEndPoint(address, 0));
        return socket;
    }

    /// <summary>A sender of this amphora whose <c>controller_ip_port_list</c> is <paramref name="receivers"/>.</summary>
    public HeartbeatSender NewSender(string receivers, ILogger<HeartbeatSender>? logger = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["amphora_agent:amphora_id"] = AmphoraId,
            ["health_manager:controller_ip_port_list"] = receivers,
            ["health_manager:heartbeat_key"] = Key,
        }).Build();
        var sender = new HeartbeatSender(configuration, _bind, Haproxy, logger ?? NullLogger<HeartbeatSender>.Instance, TimeProvider.System);
        _senders.Add(sender);
        return sender;
    }

    public static string AddressOf(Socket receiver) => ((IPEndPoint)receiver.LocalEndPoint!).ToString();

    /// <summary>The next heartbeat <paramref name="receiver"/> gets: its signature checked, its JSON parsed.</summary>
    public static async Task<JsonDocument> ReceiveAsync(Socket receiver, CancellationToken cancellationToken)
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        patience.CancelAfter(Patience);
        var buffer = new byte[HeartbeatCodec.MaxDatagramBytes];
        var read = await receiver.ReceiveAsync(buffer, SocketFlags.None, patience.Token);
        Assert.Equal(HeartbeatRejection.None, HeartbeatCodec.TryDecode(buffer.AsSpan(0, read), Key, out var json));
        return JsonDocument.Parse(json);
    }

    /// <summary>Sends one heartbeat to <paramref name="receiver"/> and returns it as received.</summary>
    public static async Task<JsonDocument> HeartbeatAsync(HeartbeatSender sender, Socket receiver, CancellationToken cancellationToken)
    {
        Assert.NotNull(await sender.SendHeartbeatAsync(cancellationToken));
        return await ReceiveAsync(receiver, cancellationToken);
    }

    /// <summary>
    /// The listener's frontend counters as HAProxy shows them, once no session is open and two readings agree:
    /// HAProxy adds a stream's last bytes as it closes it, a moment after the client saw its answer.
    /// </summary>
    public async Task<FrontendCounters> SettledFrontendCountersAsync(CancellationToken cancellationToken)
    {
        var giveUpAt = TimeProvider.System.GetUtcNow() + Patience;
        var last = await FrontendCountersAsync(cancellationToken);
        while (true)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            var now = await FrontendCountersAsync(cancellationToken);
            if (now == last && now.SessionsCurrent == 0)
            {
                return now;
            }

            Assert.True(TimeProvider.System.GetUtcNow() < giveUpAt, $"HAProxy's counters did not settle: {now}");
            last = now;
        }
    }

    private async Task<FrontendCounters> FrontendCountersAsync(CancellationToken cancellationToken)
    {
        // Read with a plain split of the header, not with the parser under test.
        var lines = (await HaproxySocket.CommandAsync(Haproxy.StatsSocketOf(LoadBalancer.Id), "show stat", cancellationToken)).Split('\n');
        var header = lines[0].TrimStart('#', ' ').Split(',');
        var row = lines.Select(l => l.Split(',')).Single(f => f.Length > 1 && f[0] == LoadBalancer.ListenerId && f[1] == "FRONTEND");
        long Column(string name) => long.Parse(row[Array.IndexOf(header, name)], System.Globalization.CultureInfo.InvariantCulture);
        return new FrontendCounters(Column("scur"), Column("stot"), Column("bin"), Column("bout"));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var sender in _senders)
        {
            sender.Dispose();
        }

        foreach (var receiver in _receivers)
        {
            receiver.Dispose();
        }

        HaproxyProcesses.KillAllUnder(BasePath);
        if (LoadBalancer is not null)
        {
            await LoadBalancer.DisposeAsync();
        }

        if (Directory.Exists(BasePath))
        {
            Directory.Delete(BasePath, recursive: true);
        }
    }

    public readonly record struct FrontendCounters(long SessionsCurrent, long SessionsTotal, long BytesIn, long BytesOut);
}
