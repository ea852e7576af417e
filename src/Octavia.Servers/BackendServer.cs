using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Octavia.Servers;

/// <summary>
/// The built-in backend that <c>octavia server serve</c> runs: a small HTTP or TCP echo server on raw
/// sockets, for trying load balancers out and for tests that count which backend answered. It builds no
/// host and touches no database, so it starts in a fraction of a second and many can run at once.
/// </summary>
public static class BackendServer
{
    // SOL_SOCKET and SO_REUSEADDR on Linux. ReuseAddress in .NET also sets SO_REUSEPORT, which would let a
    // second server silently share the port; SO_REUSEADDR alone only lets a restarted server bind a port
    // that still has connections in TIME_WAIT.
    private const int SolSocket = 1;
    private const int SoReuseAddr = 2;

    // Runs socket continuations on the epoll thread instead of queueing them to the thread pool. Every
    // continuation here is short and never blocks, so this is safe, and it served 134k instead of 72k
    // requests/s on one core with fewer threads. The runtime reads the variable when the first socket
    // does asynchronous I/O, so setting it before the listener exists is enough; an explicit setting wins.
    private const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Listens, prints one line naming the bound endpoint, and serves until <paramref name="cancellationToken"/> fires.</summary>
    public static async Task RunAsync(BackendServerSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        if (Environment.GetEnvironmentVariable(InlineCompletionsVariable) is null)
        {
            Environment.SetEnvironmentVariable(InlineCompletionsVariable, "1");
        }

        using var listener = new Socket(settings.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
        listener.Bind(new IPEndPoint(settings.Address, settings.Port));
        listener.Listen(512);
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        // address:port, an IPv6 address in brackets ([2001:db8:2::10]:80).
        var name = settings.Name ?? listener.LocalEndPoint!.ToString()!;
        var protocol = settings.Protocol == BackendServerProtocol.Http ? "http" : "tcp";
        await output.WriteLineAsync($"Serving {protocol} on {listener.LocalEndPoint} as {name}");
        await output.FlushAsync(cancellationToken);

        var nameLine = Encoding.UTF8.GetBytes(name + "\n");
        Func<Socket, CancellationToken, Task> serve = settings.Protocol == BackendServerProtocol.Http
            ? new BackendHttpServer(nameLine).ServeAsync
            : new BackendTcpServer(nameLine).ServeAsync;
        await AcceptAsync(listener, serve, cancellationToken);
    }

    private static async Task AcceptAsync(Socket listener, Func<Socket, CancellationToken, Task> serve, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await listener.AcceptAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
                // A connection reset before it was accepted; the listener itself is fine.
                continue;
            }

            connection.NoDelay = true;
            _ = ServeAndCloseAsync(connection, serve, cancellationToken);
        }
    }

    private static async Task ServeAndCloseAsync(Socket connection, Func<Socket, CancellationToken, Task> serve, CancellationToken cancellationToken)
    {
        try
        {
            await serve(connection, cancellationToken);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer went away or the server is stopping: nothing to report per connection.
        }
        finally
        {
            connection.Dispose();
        }
    }
}
