using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Octavia.Amphora.Haproxy;
using Octavia.Core.Configuration;
using Octavia.Core.Health;
using Octavia.Core.Logging;

namespace Octavia.Amphora.Health;

/// <summary>
/// The amphora's heartbeat (reference/health.md §2-§3): every <c>[health_manager] heartbeat_interval</c> seconds,
/// the stats of each running load balancer's HAProxy as one signed version-3 message in one UDP datagram, to
/// the next receiver of <c>controller_ip_port_list</c> in turn. The <c>[health_manager]</c> settings and the
/// amphora id are read again for every heartbeat, so a new agent configuration applies from the next one.
/// Counters of the last heartbeat are kept in <c>&lt;base_path&gt;/stats_counters.json</c>.
/// </summary>
/// <remarks>One heartbeat at a time: <see cref="SendHeartbeatAsync"/> is not meant to run concurrently with itself.</remarks>
public sealed partial class HeartbeatSender(
    IConfiguration configuration,
    AgentBindOptions bind,
    HaproxyProcessManager haproxy,
    ILogger<HeartbeatSender> logger,
    TimeProvider time) : BackgroundService
{
    /// <summary>How long one HAProxy may take to answer <c>show stat</c> before its part of the heartbeat is left empty.</summary>
    private static readonly TimeSpan StatsPatience = TimeSpan.FromSeconds(5);

    private readonly ArrayBufferWriter<byte> _json = new(4096);
    private readonly List<HaproxyStatRow> _rows = [];
    private Utf8JsonWriter? _writer;
    private Dictionary<string, ListenerCounters>? _last;
    private Socket? _ipv4;
    private Socket? _ipv6;
    private string? _listText;
    private IPEndPoint[] _receivers = [];
    private int _next;
    private long _seq = -1;
    private bool _noReceiverLogged;

    public string CountersFile => Path.Combine(bind.BasePath, StatsCountersFile.FileName);

    /// <summary>
    /// The next sequence number, kept across agent restarts: the health manager refuses a heartbeat whose number
    /// it has seen before (a replay), so numbering must not start again at 0 (docs/decisions.md).
    /// </summary>
    public string SequenceFile => Path.Combine(bind.BasePath, "heartbeat_seq");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var options = ReadOptions();
            try
            {
                await SendAsync(options, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Whatever went wrong with this one, the next heartbeat is due all the same: a silent amphora is failed over.
                Log.HeartbeatFailed(logger, e);
            }

            try
            {
                await Task.Delay(Interval(options), time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Builds and sends one heartbeat now; returns the receiver it went to, or null when there is none.</summary>
    public Task<IPEndPoint?> SendHeartbeatAsync(CancellationToken cancellationToken) => SendAsync(ReadOptions(), cancellationToken);

    public override void Dispose()
    {
        _ipv4?.Dispose();
        _ipv6?.Dispose();
        _writer?.Dispose();
        base.Dispose();
    }

    private HealthManagerOptions ReadOptions() =>
        configuration.GetSection(HealthManagerOptions.SectionName).Get<HealthManagerOptions>() ?? new HealthManagerOptions();

    private static TimeSpan Interval(HealthManagerOptions options) =>
        TimeSpan.FromSeconds(double.IsFinite(options.HeartbeatInterval) && options.HeartbeatInterval > 0 ? options.HeartbeatInterval : 10);

    private async Task<IPEndPoint?> SendAsync(HealthManagerOptions options, CancellationToken cancellationToken)
    {
        if (NextReceiver(options.ControllerIpPortList) is not { } receiver)
        {
            return null;
        }

        _last ??= ReadCounters();
        if (_seq < 0)
        {
            _seq = File.Exists(SequenceFile) && long.TryParse(File.ReadAllText(SequenceFile).Trim(), System.Globalization.CultureInfo.InvariantCulture, out var saved)
                && saved >= 0 ? saved : 0;
        }

        var complete = await CollectStatsAsync(cancellationToken);
        var current = new Dictionary<string, ListenerCounters>(_last.Count, StringComparer.Ordinal);
        _json.ResetWrittenCount();
        _writer ??= new Utf8JsonWriter(_json);
        _writer.Reset(_json);
        var amphoraId = configuration.GetSection(AmphoraAgentOptions.SectionName)["amphora_id"] ?? "";
        HeartbeatMessage.Write(_writer, amphoraId, _seq, _rows, _last, current);
        _writer.Flush();
        Send(HeartbeatCodec.Encode(_json.WrittenSpan, options.HeartbeatKey), receiver);
        _seq++;

        if (!complete)
        {
            // A load balancer whose HAProxy did not answer keeps its last counters: it did not restart, so what it
            // counts meanwhile must come as a delta from those, not again from zero.
            foreach (var (listener, counters) in _last)
            {
                current.TryAdd(listener, counters);
            }
        }

        _last = current;
        WriteCounters(current);
        return receiver;
    }

    /// <summary>Fills <see cref="_rows"/>; false when some running HAProxy could not be asked.</summary>
    private async Task<bool> CollectStatsAsync(CancellationToken cancellationToken)
    {
        _rows.Clear();
        var complete = true;
        foreach (var loadBalancerId in haproxy.LoadBalancerIds())
        {
            if (haproxy.RunningMasterOf(loadBalancerId) is null)
            {
                continue;
            }

            using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            patience.CancelAfter(StatsPatience);
            try
            {
                _rows.AddRange(HaproxyStatsCsv.Parse(await HaproxySocket.CommandAsync(haproxy.StatsSocketOf(loadBalancerId), "show stat", patience.Token)));
            }
            catch (Exception e) when (e is SocketException or IOException
                || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                complete = false;
                Log.StatsUnavailable(logger, loadBalancerId, e.Message);
            }
        }

        return complete;
    }

    /// <summary>The next receiver in turn: one per heartbeat, round robin (reference/health.md §2).</summary>
    private IPEndPoint? NextReceiver(string list)
    {
        if (list != _listText)
        {
            _listText = list;
            _receivers = ControllerAddressList.Parse(list, out var rejected);
            _noReceiverLogged = false;
            foreach (var entry in rejected)
            {
                Log.BadReceiver(logger, entry);
            }
        }

        if (_receivers.Length == 0)
        {
            if (!_noReceiverLogged)
            {
                Log.NoReceiver(logger);
                _noReceiverLogged = true;
            }

            return null;
        }

        var receiver = _receivers[_next % _receivers.Length];
        _next = (_next + 1) % _receivers.Length;
        return receiver;
    }

    /// <summary>Send errors (no route yet while the amphora boots, a receiver gone) are only logged: the next heartbeat tries again.</summary>
    private void Send(byte[] datagram, IPEndPoint receiver)
    {
        try
        {
            var socket = receiver.AddressFamily == AddressFamily.InterNetworkV6
                ? _ipv6 ??= new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp)
                : _ipv4 ??= new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.SendTo(datagram, receiver);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.MessageSize)
        {
            Log.TooLarge(logger, receiver, datagram.Length);
        }
        catch (SocketException e)
        {
            Log.SendFailed(logger, receiver, e.SocketErrorCode);
        }
    }

    private Dictionary<string, ListenerCounters> ReadCounters()
    {
        try
        {
            return StatsCountersFile.Read(CountersFile);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or InvalidOperationException
            or KeyNotFoundException or FormatException)
        {
            Log.CountersUnreadable(logger, CountersFile, e.Message);
            return new Dictionary<string, ListenerCounters>(StringComparer.Ordinal);
        }
    }

    private void WriteCounters(Dictionary<string, ListenerCounters> counters)
    {
        try
        {
            Directory.CreateDirectory(bind.BasePath);
            StatsCountersFile.Write(CountersFile, counters);
            File.WriteAllText(SequenceFile + ".tmp", _seq.ToString(System.Globalization.CultureInfo.InvariantCulture));
            File.Move(SequenceFile + ".tmp", SequenceFile, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.CountersNotSaved(logger, CountersFile, e.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEventIds.HeartbeatSenderNoReceiver, Level = LogLevel.Error,
            Message = "No heartbeat receiver: [health_manager] controller_ip_port_list is empty; no heartbeat is sent until it names one")]
        public static partial void NoReceiver(ILogger logger);

        [LoggerMessage(EventId = LogEventIds.HeartbeatSenderBadReceiver, Level = LogLevel.Warning,
            Message = "Ignored heartbeat receiver '{Entry}' of [health_manager] controller_ip_port_list: not an ip:port or [ipv6]:port")]
        public static partial void BadReceiver(ILogger logger, string entry);

        [LoggerMessage(EventId = LogEventIds.HeartbeatSenderStatsUnavailable, Level = LogLevel.Warning,
            Message = "No stats from HAProxy of load balancer {LoadBalancerId}; the heartbeat goes without them: {Reason}")]
        public static partial void StatsUnavailable(ILogger logger, string loadBalancerId, string reason);

        [LoggerMessage(EventId = LogEventIds.HeartbeatSenderSendFailed, Level = LogLevel.Debug, Message = "Heartbeat to {Receiver} not sent: {Error}")]
        public static partial void SendFailed(ILogger logger, IPEndPoint receiver, SocketError error);

        [LoggerMessage(EventId = LogEventIds.HeartbeatSenderCountersUnreadable, Level = LogLevel.Warning, Message = "Stats counters {Path} unreadable, counting from zero: {Reason}")]
        public static partial void CountersUnreadable(ILogger logger, string path, string reason);

        [LoggerMessage(EventId = LogEventIds.HeartbeatSenderCountersNotSaved, Level = LogLevel.Warning, Message = "Stats counters not saved to {Path}: {Reason}")]
        public static partial void CountersNotSaved(ILogger logger, string path, string reason);

        [LoggerMessage(EventId = LogEventIds.HeartbeatSenderTooLarge, Level = LogLevel.Warning, Message = "Heartbeat to {Receiver} not sent: {Bytes} bytes do not fit in a datagram")]
        public static partial void TooLarge(ILogger logger, IPEndPoint receiver, int bytes);

        [LoggerMessage(EventId = LogEventIds.HeartbeatSenderHeartbeatFailed, Level = LogLevel.Error, Message = "Heartbeat failed; the next one is sent as due")]
        public static partial void HeartbeatFailed(ILogger logger, Exception exception);
    }
}
