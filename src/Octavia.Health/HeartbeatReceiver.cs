using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Octavia.Core.Configuration;
using Octavia.Core.Drivers;
using Octavia.Core.Health;
using Octavia.Core.Logging;
using Octavia.Db;

namespace Octavia.Health;

/// <summary>
/// The heartbeat listener (reference/health.md §4.1): one UDP socket on <c>[health_manager] bind_ip:bind_port</c>.
/// Every datagram is verified (size, HMAC, zlib, JSON shape) and checked against the amphora's last accepted
/// sequence number before it reaches the processor; anything else is dropped and counted, and a summary line
/// is logged whenever the counters moved.
/// </summary>
public sealed partial class HeartbeatReceiver(
    IServiceScopeFactory scopes,
    IServiceProvider services,
    HeartbeatProcessor processor,
    HeartbeatMetrics metrics,
    IOptions<HealthManagerOptions> options,
    TimeProvider time,
    ILogger<HeartbeatReceiver> logger) : BackgroundService
{
    /// <summary>How often the counters are logged (when they changed).</summary>
    public static readonly TimeSpan SummaryInterval = TimeSpan.FromSeconds(30);

    private readonly TaskCompletionSource<IPEndPoint> _bound = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<string, ReplayWindow> _lastSeq = new(StringComparer.Ordinal);

    /// <summary>
    /// An amphora's anti-replay window: the highest sequence number accepted and which of the 63 before it
    /// were seen. Two threads decode, so an amphora's heartbeats may be handled out of order; a late one is
    /// still taken once, a copy never.
    /// </summary>
    private sealed class ReplayWindow(long last)
    {
        public const int Size = 64;

        public long Last { get; private set; } = last;
        private ulong _seen = 1;

        public bool IsNew(long seq) =>
            seq > Last || (Last - seq < Size && (_seen & (1UL << (int)(Last - seq))) == 0);

        public void Mark(long seq)
        {
            if (seq > Last)
            {
                var shift = seq - Last;
                _seen = shift >= Size ? 1 : (_seen << (int)shift) | 1;
                Last = seq;
            }
            else
            {
                _seen |= 1UL << (int)(Last - seq);
            }
        }
    }

    /// <summary>Amphorae whose last sequence number is remembered (only authenticated heartbeats add one).</summary>
    internal int TrackedAmphorae
    {
        get
        {
            lock (_lastSeq)
            {
                return _lastSeq.Count;
            }
        }
    }

    /// <summary>The address the socket is bound to (bind_port 0 picks a free port).</summary>
    public Task<IPEndPoint> BoundEndPoint => _bound.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var key = HeartbeatKey(settings);
        if (key is null)
        {
            LogNoKey(logger);
            _bound.TrySetException(new InvalidOperationException("No heartbeat key."));
            return;
        }

        using var socket = await BindAsync(settings, stoppingToken);
        await WarmSequenceNumbersAsync(stoppingToken);
        var processing = processor.RunAsync(stoppingToken);
        var summary = SummarizeAsync(stoppingToken);

        // Threads of their own, blocked in recv: receiving never waits for the thread pool, which the
        // processor's database work keeps busy (a late read is a full socket buffer and lost datagrams).
        // Two of them on machines with more than one core: decoding is most of the cost of a datagram.
        var keyBytes = Encoding.UTF8.GetBytes(key);
        var readers = Math.Clamp(Environment.ProcessorCount, 1, 2);
        using var finished = new CountdownEvent(readers);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        for (var i = 0; i < readers; i++)
        {
            new Thread(() =>
            {
                try
                {
                    ReceiveLoop(socket, keyBytes, stoppingToken);
                }
                finally
                {
                    if (finished.Signal())
                    {
                        done.TrySetResult();
                    }
                }
            })
            { IsBackground = true, Name = "heartbeat-receiver" }.Start();
        }

        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        catch (OperationCanceledException)
        {
        }

        await done.Task;
        await Task.WhenAll(processing.ContinueWith(_ => { }, TaskScheduler.Default), summary);
        LogSummary(logger, metrics.Describe());
    }

    private void ReceiveLoop(Socket socket, byte[] key, CancellationToken stoppingToken)
    {
        socket.ReceiveTimeout = 500; // to notice a shutdown
        var buffer = GC.AllocateUninitializedArray<byte>(HeartbeatCodec.MaxDatagramBytes + 1);
        while (!stoppingToken.IsCancellationRequested)
        {
            int length;
            try
            {
                length = socket.Receive(buffer, SocketFlags.None);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
            {
                continue;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.MessageSize or SocketError.ConnectionReset)
            {
                metrics.CountReceived();
                metrics.CountDropped(HeartbeatDrop.TooLarge);
                continue;
            }

            Accept(buffer.AsSpan(0, length), key);
        }
    }

    /// <summary>Verifies one datagram and queues it, or counts why not.</summary>
    public void Accept(ReadOnlySpan<byte> datagram, byte[] key)
    {
        metrics.CountReceived();
        var rejection = HeartbeatCodec.TryDecode(datagram, key, out var json);
        if (rejection != HeartbeatRejection.None)
        {
            metrics.CountDropped(rejection switch
            {
                HeartbeatRejection.TooShort => HeartbeatDrop.TooShort,
                HeartbeatRejection.TooLarge => HeartbeatDrop.TooLarge,
                HeartbeatRejection.BadSignature => HeartbeatDrop.BadSignature,
                HeartbeatRejection.BadCompression => HeartbeatDrop.BadCompression,
                _ => HeartbeatDrop.TooLargeDecompressed,
            });
            return;
        }

        if (Heartbeat.Parse(json, time.GetUtcNow().UtcDateTime) is not { } heartbeat)
        {
            metrics.CountDropped(HeartbeatDrop.Malformed);
            return;
        }

        lock (_lastSeq)
        {
            // A copy of an earlier datagram (or a much older one) carries a sequence number already seen.
            var window = _lastSeq.GetValueOrDefault(heartbeat.AmphoraId);
            if (window is not null && !window.IsNew(heartbeat.Seq))
            {
                metrics.CountDropped(HeartbeatDrop.Replayed);
                return;
            }

            if (!processor.Post(heartbeat))
            {
                metrics.CountDropped(HeartbeatDrop.Overloaded);
                return;
            }

            if (window is null)
            {
                _lastSeq[heartbeat.AmphoraId] = new ReplayWindow(heartbeat.Seq);
            }
            else
            {
                window.Mark(heartbeat.Seq);
            }
        }

        metrics.CountAccepted();
    }

    /// <summary>The configured key, else the one <c>octavia certs init</c> made (<see cref="IHeartbeatKeySource"/>).</summary>
    public string? HeartbeatKey(HealthManagerOptions settings) =>
        settings.HeartbeatKey.Length > 0 ? settings.HeartbeatKey : services.GetService<IHeartbeatKeySource>()?.ReadOrCreateKey();

    private async Task<Socket> BindAsync(HealthManagerOptions settings, CancellationToken cancellationToken)
    {
        var address = settings.BindIp.Length > 0
            ? IPAddress.Parse(settings.BindIp)
            : services.GetService<IManagementNetworkAddress>() is { } management
                && await management.GetHostAddressAsync(cancellationToken) is { } host
                ? IPAddress.Parse(host)
                : IPAddress.Loopback;
        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (settings.SockRlimit > 0)
            {
                socket.ReceiveBufferSize = settings.SockRlimit;
                if (Environment.IsPrivilegedProcess)
                {
                    // SO_RCVBUFFORCE: as root the size may exceed net.core.rmem_max, which caps SO_RCVBUF.
                    socket.SetRawSocketOption(1, 33, BitConverter.GetBytes(settings.SockRlimit));
                }
            }

            socket.Bind(new IPEndPoint(address, settings.BindPort));
        }
        catch (Exception e)
        {
            socket.Dispose();
            _bound.TrySetException(e);
            throw;
        }

        var endPoint = (IPEndPoint)socket.LocalEndPoint!;
        LogListening(logger, endPoint);
        _bound.TrySetResult(endPoint);
        return socket;
    }

    /// <summary>The last accepted sequence numbers survive a restart of the health manager: a replay right after it is still refused.</summary>
    private async Task WarmSequenceNumbersAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OctaviaDbContext>();
        foreach (var row in await db.AmphoraHealth.AsNoTracking().Select(h => new { h.AmphoraId, h.Seq }).ToListAsync(cancellationToken))
        {
            _lastSeq[row.AmphoraId] = new ReplayWindow(row.Seq);
        }
    }

    private async Task SummarizeAsync(CancellationToken cancellationToken)
    {
        var last = "";
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(SummaryInterval, time, cancellationToken);
                var now = metrics.Describe();
                if (now != last)
                {
                    LogSummary(logger, now);
                    last = now;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(EventId = LogEventIds.HeartbeatReceiverListening, Level = LogLevel.Information, Message = "Health manager receiving heartbeats on {EndPoint}")]
    private static partial void LogListening(ILogger logger, IPEndPoint endPoint);

    [LoggerMessage(EventId = LogEventIds.HeartbeatReceiverNoKey, Level = LogLevel.Error, Message = "No heartbeat key: set [health_manager] heartbeat_key or run 'octavia certs init'; heartbeats are not received")]
    private static partial void LogNoKey(ILogger logger);

    [LoggerMessage(EventId = LogEventIds.HeartbeatReceiverSummary, Level = LogLevel.Information, Message = "Heartbeats: {Summary}")]
    private static partial void LogSummary(ILogger logger, string summary);
}
