using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Octavia.Drivers.Tests.Amphora;

/// <summary>
/// Raw-socket HTTP/1.1 clients hammering one address: either kept-alive connections or one connection per
/// request with <c>Connection: close</c>. Every socket error is recorded. A kept-alive client whose reused
/// connection fails retries that (idempotent) request once on a new connection, as HTTP clients do; only a
/// failure on a new connection, or of the retry, counts as a failed request.
/// </summary>
public sealed class HttpLoadGenerator(IPEndPoint target, bool keepAlive, int clients)
{
    private long _succeeded;
    private long _retried;
    private long _failed;

    public long Succeeded => Interlocked.Read(ref _succeeded);

    /// <summary>Requests that failed on a reused kept-alive connection and succeeded on the one retry.</summary>
    public long Retried => Interlocked.Read(ref _retried);

    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Every error seen, retried or not, by kind.</summary>
    public ConcurrentDictionary<string, int> RawErrors { get; } = new();

    public override string ToString() =>
        $"{(keepAlive ? "keep-alive" : "Connection: close")} x{clients}: {Succeeded} ok, {Retried} retried once, {Failed} failed; raw errors: " +
        (RawErrors.IsEmpty ? "none" : string.Join(", ", RawErrors.Select(e => $"{e.Key} x{e.Value}")));

    public Task RunAsync(CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(() => keepAlive ? KeepAliveClientAsync(stop) : CloseClientAsync(stop), CancellationToken.None)));

    private async Task CloseClientAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var socket = await ConnectAsync(stop);
                await ExchangeAsync(socket, stop);
                Interlocked.Increment(ref _succeeded);
            }
            catch (Exception e) when (!stop.IsCancellationRequested && e is SocketException or IOException or OperationCanceledException)
            {
                Record(e);
                Interlocked.Increment(ref _failed);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private async Task KeepAliveClientAsync(CancellationToken stop)
    {
        Socket? socket = null;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var reused = socket is not null;
                try
                {
                    socket ??= await ConnectAsync(stop);
                    if (await ExchangeAsync(socket, stop))
                    {
                        socket.Dispose();
                        socket = null;
                    }

                    Interlocked.Increment(ref _succeeded);
                    continue;
                }
                catch (Exception e) when (!stop.IsCancellationRequested && e is SocketException or IOException or OperationCanceledException)
                {
                    Record(e);
                    socket?.Dispose();
                    socket = null;
                    if (!reused)
                    {
                        Interlocked.Increment(ref _failed);
                        continue;
                    }
                }

                try
                {
                    socket = await ConnectAsync(stop);
                    if (await ExchangeAsync(socket, stop))
                    {
                        socket.Dispose();
                        socket = null;
                    }

                    Interlocked.Increment(ref _retried);
                }
                catch (Exception e) when (!stop.IsCancellationRequested && e is SocketException or IOException or OperationCanceledException)
                {
                    Record(e);
                    socket?.Dispose();
                    socket = null;
                    Interlocked.Increment(ref _failed);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            socket?.Dispose();
        }
    }

    private void Record(Exception e)
    {
        var kind = e is SocketException s ? s.SocketErrorCode.ToString() : e.GetType().Name + ": " + e.Message;
        RawErrors.AddOrUpdate(kind, 1, (_, n) => n + 1);
    }

    private async Task<Socket> ConnectAsync(CancellationToken stop)
    {
        var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await socket.ConnectAsync(target, timeout.Token);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>One GET; returns whether the server asked to close the connection. A non-200 answer or an early EOF throws.</summary>
    private async Task<bool> ExchangeAsync(Socket socket, CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        var request = keepAlive ? "GET / HTTP/1.1\r\nHost: lb\r\n\r\n" : "GET / HTTP/1.1\r\nHost: lb\r\nConnection: close\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, timeout.Token);
        var buffer = new byte[4096];
        var received = 0;
        int headerEnd;
        while ((headerEnd = IndexOfHeaderEnd(buffer, received)) < 0)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, timeout.Token);
            if (n == 0)
            {
                throw new IOException(received == 0 ? "closed before the response" : "closed inside the response headers");
            }

            received += n;
        }

        var headers = Encoding.ASCII.GetString(buffer, 0, headerEnd);
        if (!headers.StartsWith("HTTP/1.1 200", StringComparison.Ordinal))
        {
            throw new IOException("answer " + headers.Split('\r')[0]);
        }

        var length = 0;
        var close = !keepAlive;
        foreach (var line in headers.Split("\r\n"))
        {
            if (line.StartsWith("content-length:", StringComparison.OrdinalIgnoreCase))
            {
                length = int.Parse(line.AsSpan(15).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (line.Equals("connection: close", StringComparison.OrdinalIgnoreCase))
            {
                close = true;
            }
        }

        var body = received - headerEnd - 4;
        while (body < length)
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            if (n == 0)
            {
                throw new IOException("closed inside the response body");
            }

            body += n;
        }

        return close;
    }

    private static int IndexOfHeaderEnd(byte[] buffer, int count) => buffer.AsSpan(0, count).IndexOf("\r\n\r\n"u8);
}
